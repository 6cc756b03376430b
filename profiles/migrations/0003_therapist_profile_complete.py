from django.db import migrations, models


def mark_published_profiles_complete(apps, schema_editor):
    """Published profiles passed the completeness check when they were published.

    Any later save recomputes the flag with the editor's rules, and publishing checks again.
    """
    TherapistProfile = apps.get_model("profiles", "TherapistProfile")
    TherapistProfile.objects.filter(published_at__isnull=False).update(profile_complete=True)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_audit_trail"),
    ]

    operations = [
        migrations.AddField(
            model_name="therapistprofile",
            name="profile_complete",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_published_profiles_complete, migrations.RunPython.noop),
    ]
