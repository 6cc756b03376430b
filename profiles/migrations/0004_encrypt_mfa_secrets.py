# Encrypts the two-factor secrets allauth stored in the clear (TOTP keys, recovery seeds).

from django.db import migrations

from profiles.mfa import ENCRYPTED_PREFIX, authenticator_data_map, secret_decrypt, secret_reencrypt


def encrypt_secrets(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all():
        data = authenticator_data_map(authenticator.data, secret_reencrypt)
        Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def decrypt_secrets(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")

    def plain(value):
        return secret_decrypt(value) if value.startswith(ENCRYPTED_PREFIX) else value

    for authenticator in Authenticator.objects.all():
        data = authenticator_data_map(authenticator.data, plain)
        Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


class Migration(migrations.Migration):

    dependencies = [
        ('profiles', '0003_audit_chain'),
        ('mfa', '0003_authenticator_type_uniq'),
    ]

    operations = [
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
