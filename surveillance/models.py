from surveillance.meetings.models import *  # noqa
from surveillance.intelligence.models import *  # noqa
from surveillance.packs.models import *  # noqa
from surveillance.regional.models import *  # noqa
from surveillance.escalation.models import *  # noqa
