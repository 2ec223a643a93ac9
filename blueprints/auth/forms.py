from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from blueprints.forms import BalaiForm
from services.passwords import PasswordRejected, check_password


class _TextOnly:
    """Whatever the body format (form, JSON, ...), a value is text: a JSON number or list never reaches a validator."""

    def process_formdata(self, valuelist):
        if valuelist:
            value = valuelist[0]
            self.data = value if isinstance(value, str) else ""


class TextField(_TextOnly, StringField):
    pass


class SecretField(_TextOnly, PasswordField):
    pass


class NewPassword:
    """The password policy (services/passwords.py) as a form validator; `username` names the account."""

    def __init__(self, username_field: str | None = None):
        self.username_field = username_field

    def __call__(self, form, field):
        field_name = self.username_field
        username = form[field_name].data if field_name else getattr(form, "account_username", None)
        try:
            check_password(field.data or "", username, getattr(form, "account_full_name", None))
        except PasswordRejected as exc:
            raise ValidationError(str(exc)) from None


def new_password_field(username_field: str | None = None):
    return SecretField(
        _l("Kata sandi baru"),
        validators=[DataRequired(_l("Kata sandi wajib diisi.")), NewPassword(username_field)],
        description=_l("Minimal 12 karakter. Boleh berupa kalimat; tidak perlu huruf besar, angka, atau simbol."),
        render_kw={"autocomplete": "new-password"},
    )


def password_again_field(target: str = "password"):
    return SecretField(
        _l("Ulangi kata sandi baru"),
        validators=[EqualTo(target, message=_l("Kedua kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(BalaiForm):
    username = TextField(
        _l("Nama pengguna"),
        validators=[DataRequired(_l("Nama pengguna wajib diisi.")), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = SecretField(
        _l("Kata sandi"),
        validators=[DataRequired(_l("Kata sandi wajib diisi.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ingat saya di perangkat ini (paling lama 30 hari)"))


class CodeForm(BalaiForm):
    code = TextField(
        _l("Kode dari aplikasi autentikator atau kode pemulihan"),
        validators=[DataRequired(_l("Kode wajib diisi.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"},
    )


class SetPasswordForm(BalaiForm):
    """A set-password link: the account is known from the link, so only the password is asked."""

    password = new_password_field()
    password_again = password_again_field()


class ChangePasswordForm(BalaiForm):
    current_password = SecretField(
        _l("Kata sandi saat ini"),
        validators=[DataRequired(_l("Kata sandi saat ini wajib diisi."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field()
    password_again = password_again_field()


class ConfirmPasswordForm(BalaiForm):
    current_password = SecretField(
        _l("Kata sandi saat ini"),
        validators=[DataRequired(_l("Kata sandi saat ini wajib diisi."))],
        render_kw={"autocomplete": "current-password"},
    )
