from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("Nama pengguna"),
        validators=[DataRequired(_l("Nama pengguna wajib diisi.")), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(_l("Kata sandi wajib diisi.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ingat saya di perangkat ini"))
