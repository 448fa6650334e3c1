"""Import people into a network from a CSV file; the same service as the organiser page."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.models import Network, Organisation, PersonMembership
from partners.services import import_people


class Command(BaseCommand):
    help = (
        "Import people from a CSV file (UTF-8, comma or semicolon) into a network. "
        "All or nothing: if any row is wrong, nothing is written and the rows are listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the CSV file, or - for standard input")
        parser.add_argument("--network", required=True, help="slug of the network")
        parser.add_argument(
            "--role",
            default=PersonMembership.Role.MEMBER,
            choices=PersonMembership.Role.values,
            help="role for people whose row has no role (default: member)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )
        parser.add_argument(
            "--add-organisations",
            metavar="SECTOR",
            choices=Organisation.Sector.values,
            help="add organisations the registry does not know, all with this sector "
            "(without it, the import lists them and writes nothing)",
        )

    def handle(self, *args, **options) -> None:
        try:
            network = Network.objects.get(slug=options["network"])
        except Network.DoesNotExist as error:
            raise CommandError("No network with the slug %r." % options["network"]) from error
        if options["file"] == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(options["file"]).read_bytes()
            except OSError as error:
                raise CommandError("Cannot read %s: %s" % (options["file"], error)) from error

        report = import_people(
            network=network, file=data, default_role=options["role"], dry_run=options["dry_run"]
        )
        if report.needs_confirmation and options["add_organisations"]:
            report = import_people(
                network=network,
                file=data,
                default_role=options["role"],
                dry_run=options["dry_run"],
                new_organisations={
                    o.name: options["add_organisations"] for o in report.new_organisations
                },
            )
        for column in report.ignored_columns:
            self.stderr.write("Ignored column: %s" % column)
        if not report.ok:
            for message in report.errors:
                self.stderr.write(message)
            for problem in report.row_problems:
                for row_message in problem.messages:
                    self.stderr.write("Row %d: %s" % (problem.row, row_message))
            if report.needs_confirmation:
                for organisation in report.new_organisations:
                    self.stderr.write("New organisation: %s" % organisation.name)
                self.stderr.write(
                    "Run again with --add-organisations SECTOR to add them (%s)."
                    % ", ".join(Organisation.Sector.values)
                )
            raise CommandError("Nothing was imported into %s." % network.name)

        if report.organisations_created:
            self.stdout.write(
                "%d new organisations: %s"
                % (
                    report.organisations_created,
                    ", ".join(o.name for o in report.new_organisations),
                )
            )
        summary = "%d rows: %d created, %d updated, %d unchanged, %d added to %s." % (
            report.rows,
            report.created,
            report.updated,
            report.unchanged,
            report.added_to_network,
            network.name,
        )
        if report.dry_run:
            self.stdout.write("Dry run, nothing written. Would have: " + summary)
        else:
            self.stdout.write(self.style.SUCCESS(summary))
