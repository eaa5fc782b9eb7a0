"""Issue (or re-issue) the API token of a partner system's account."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from commissioning import access
from commissioning.models import User


class Command(BaseCommand):
    help = "Print the API token for a partner system account, creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--rotate", action="store_true",
                            help="Replace the existing token (the old one stops working).")

    def handle(self, *args, email: str, rotate: bool, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account with the email address {email}.")
        if not access.allowed(user, access.Action.USE_API):
            raise CommandError(f"{email} has no role that may use the API. Give it a membership "
                               "first (for example as a partner system).")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
        self.stderr.write("New token issued." if created else "Existing token (use --rotate to replace).")
