"""Create the demo site's superuser once, with a random password printed a single time."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Create a superuser named 'admin' with a random password and print the login, "
        "unless a superuser already exists."
    )

    def handle(self, *args, **options):
        user_model = get_user_model()
        existing = user_model._default_manager.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            username = existing.get_username()
            self.stdout.write(
                f"A superuser already exists ({username}); nothing was created. "
                f"To set a new password: python manage.py changepassword {username}"
            )
            return
        if user_model._default_manager.filter(**{user_model.USERNAME_FIELD: USERNAME}).exists():
            # Promoting an existing account silently would hand it every permission.
            self.stderr.write(
                f"A user named {USERNAME} exists but is not a superuser; nothing was created. "
                "Create a superuser with: python manage.py createsuperuser"
            )
            return
        password = secrets.token_urlsafe(12)
        user_model._default_manager.create_superuser(
            **{user_model.USERNAME_FIELD: USERNAME}, email="", password=password
        )
        self.stdout.write(self.style.SUCCESS(f"Demo superuser created — username: {USERNAME}, password: {password}"))
        self.stdout.write("The password is shown only this once; change it with: python manage.py changepassword admin")
