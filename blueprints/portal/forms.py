from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from blueprints.auth.forms import NewPassword
from blueprints.forms import BalaiForm


class AcceptInvitationForm(BalaiForm):
    username = StringField(
        _l("Nama pengguna"),
        validators=[
            DataRequired(_l("Nama pengguna wajib diisi.")),
            Length(min=3, max=80, message=_l("Nama pengguna 3 sampai 80 karakter.")),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Gunakan huruf, angka, titik, garis bawah atau tanda hubung.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(_l("Kata sandi wajib diisi.")), NewPassword("username")],
        description=_l("Minimal 12 karakter. Boleh berupa kalimat; tidak perlu huruf besar, angka, atau simbol."),
        render_kw={"autocomplete": "new-password"},
    )
    password_again = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[EqualTo("password", message=_l("Kedua kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"},
    )
