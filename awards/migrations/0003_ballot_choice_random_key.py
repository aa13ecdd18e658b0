"""Ballot choices get a random key: the automatic through table numbered them in the order the
ballots were cast, which, zipped with the order the voter tokens were used, joins a ballot to
its unit."""

import random
import uuid

import django.db.models.deletion
from django.db import migrations, models


def copy_choices(apps, schema_editor):
    Ballot = apps.get_model("awards", "Ballot")
    BallotChoice = apps.get_model("awards", "BallotChoice")
    rows = list(Ballot.choices.through.objects.values_list("ballot_id", "candidate_id"))
    random.SystemRandom().shuffle(rows)  # the new rows must not be written in casting order either
    BallotChoice.objects.bulk_create(
        BallotChoice(id=uuid.uuid4(), ballot_id=ballot, candidate_id=candidate) for ballot, candidate in rows
    )


class Migration(migrations.Migration):
    dependencies = [("awards", "0002_default_award_types")]

    operations = [
        migrations.CreateModel(
            name="BallotChoice",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("ballot", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="awards.ballot")),
                ("candidate", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                to="awards.candidate")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("ballot", "candidate"),
                                                             name="ballot_choice_once")]},
        ),
        migrations.RunPython(copy_choices, migrations.RunPython.noop),
        migrations.RemoveField(model_name="ballot", name="choices"),
        migrations.AddField(
            model_name="ballot",
            name="choices",
            field=models.ManyToManyField(blank=True, related_name="ballots", through="awards.BallotChoice",
                                         to="awards.candidate"),
        ),
    ]
