from django.contrib.auth.backends import ModelBackend

from .models import User
from .phones import phone_normalize


class EmailOrPhoneBackend(ModelBackend):
    """Sign in with an e-mail address or an Indonesian phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username or kwargs.get("email") or "").strip()
        if not login or password is None:
            return None
        phone = phone_normalize(login) if "@" not in login else None
        lookup = {"phone": phone} if phone else {"email__iexact": login}
        try:
            user = User.objects.get(**lookup)
        except User.DoesNotExist:
            User().set_password(password)  # same cost either way: no user enumeration by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
