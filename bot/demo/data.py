"""Demo data: two schools, about thirty multilingual households and a team of liaisons.

Everything goes through the real services, so the demo exercises the same code paths as a
district's own set-up, and loading it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.contacts.roster import RosterReport, import_roster, read_roster_csv
from bot.schools.service import create_school, find_school
from bot.users.service import create_user, find_user

# Published on purpose: `demo load` refuses to run outside sandbox mode.
DEMO_PASSWORD = "puente-demo"  # noqa: S105
ROSTER_PATH = Path(__file__).with_name("roster.csv")
LINCOLN = "Lincoln Elementary"
ROOSEVELT = "Roosevelt Middle School"

SCHOOLS: tuple[dict[str, str], ...] = (
    {"name": LINCOLN, "timezone": "America/New_York", "country": "US",
     "sms_number": "+16175550100", "whatsapp_number": "whatsapp:+16175550101",
     "office_phone": "+16175550199"},
    {"name": ROOSEVELT, "timezone": "America/New_York", "country": "US",
     "sms_number": "+16175550110", "office_phone": "+16175550198"},
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    languages: tuple[str, ...]
    schools: tuple[str, ...] = ()  # none: district-wide


USERS: tuple[DemoUser, ...] = (
    DemoUser("maria@lincoln.example", "María López", "liaison", ("es", "pt"), (LINCOLN,)),
    DemoUser("jean@lincoln.example", "Jean-Robert Moïse", "liaison", ("ht", "fr"), (LINCOLN,)),
    DemoUser("emily@lincoln.example", "Emily Carter", "liaison", ("en",), (LINCOLN,)),
    DemoUser("linh@roosevelt.example", "Linh Vo", "liaison", ("vi",), (ROOSEVELT,)),
    DemoUser("ana@roosevelt.example", "Ana Costa", "liaison", ("pt-BR", "es"), (ROOSEVELT,)),
    DemoUser("amina@district.example", "Amina Hussein", "liaison", ("ar", "so")),
    DemoUser("wei@district.example", "Wei Zhang", "liaison", ("zh-Hans",)),
    DemoUser("rosa@district.example", "Rosa Santiago", "liaison", ("mix", "es")),
    DemoUser("staff@district.example", "Dana Brooks", "staff", ("en",)),
    DemoUser("admin@district.example", "Sam Rivera", "admin", ("en",)),
)


@dataclass(frozen=True)
class DemoSummary:
    schools_created: int
    users_created: int
    roster: RosterReport
    users: tuple[DemoUser, ...] = USERS


def load_demo(session: Session, now: datetime) -> DemoSummary:
    """Create whatever demo schools, households and users are missing; flush, never commit."""
    schools_created = 0
    for spec in SCHOOLS:
        if find_school(session, spec["name"]) is None:
            create_school(session, **spec)
            schools_created += 1
    roster = import_roster(session, read_roster_csv(ROSTER_PATH), now=now)
    users_created = 0
    for user in USERS:
        if find_user(session, user.email) is None:
            create_user(session, email=user.email, name=user.name, role=user.role,
                        password=DEMO_PASSWORD, languages=list(user.languages),
                        school_names=list(user.schools))
            users_created += 1
    return DemoSummary(schools_created, users_created, roster)
