"""The case handler's summary of a call: every answer grouped by question with who sent it, a
count per sector and per member organisation, and the members that have not answered.

One read, shared by the printable page, the XLSX and the PDF (calls/summary_exports.py); a
fixed number of queries however many answers.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Network, Organisation, OrganisationMembership

from .models import Answer, Call, CallQuestion
from .selectors_organiser import answers, partnership_of


@dataclass(frozen=True)
class SummaryEntry:
    answer: Answer
    text: str

    @property
    def sender(self) -> str:
        organisation = self.answer.organisation_display
        return "%s (%s)" % (self.answer.name, organisation) if organisation else self.answer.name


@dataclass
class QuestionSummary:
    question: CallQuestion
    entries: list[SummaryEntry] = field(default_factory=list)


@dataclass
class MemberCount:
    organisation: Organisation
    role: str
    count: int


@dataclass
class Summary:
    call: Call
    answers: list[Answer]
    questions: list[QuestionSummary]
    by_sector: list[tuple[str, int]]
    by_member: list[MemberCount]
    not_answered: list[MemberCount]
    network: Network | None
    made_at: object


def call_summary(call: Call) -> Summary:
    rows = list(answers(call))
    questions = [QuestionSummary(question=q) for q in call.questions.all()]
    by_question = {summary.question.pk: summary for summary in questions}
    for answer in rows:
        for text in answer.texts.all():
            if text.text.strip() and text.question_id in by_question:
                by_question[text.question_id].entries.append(SummaryEntry(answer, text.text))
    sectors: Counter[str] = Counter()
    per_organisation: Counter[int] = Counter()
    for answer in rows:
        if answer.organisation_id is not None:
            assert answer.organisation is not None
            sectors[answer.organisation.get_sector_display()] += 1
            per_organisation[answer.organisation_id] += 1
        else:
            sectors[_("Not in the registry")] += 1
    network = partnership_of(call)
    members = (
        OrganisationMembership.objects.filter(network=network)
        .select_related("organisation")
        .order_by("organisation__name")
        if network is not None
        else OrganisationMembership.objects.none()
    )
    counts = [
        MemberCount(
            organisation=m.organisation,
            role=m.get_role_display(),
            count=per_organisation[m.organisation_id],
        )
        for m in members
    ]
    return Summary(
        call=call,
        answers=rows,
        questions=questions,
        by_sector=sorted(sectors.items(), key=lambda item: (-item[1], item[0])),
        by_member=[c for c in counts if c.count],
        not_answered=[c for c in counts if not c.count],
        network=network,
        made_at=timezone.now(),
    )
