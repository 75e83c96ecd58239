"""The `Persona` model: one census person in words, with a name, a province and traits.

This is the boundary object the graph, the agents' prompts and the dataset's persona table
use. Every field is a census fact in words or a documented, seeded enrichment
(`enrich.py`); `hid` and `idno` point back to the census row.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DigitalAccess = Literal["none", "low", "medium", "high"]
NewsSource = Literal["state TV", "radio", "online news sites", "social media", "friends and family"]
Tone = Literal["formal", "plain", "colloquial"]


class Traits(BaseModel):
    """What shapes a persona's voice and activity; seeded, see docs/personas.md."""

    model_config = ConfigDict(frozen=True)

    political_interest: float = Field(
        ge=0, le=1, description="0 none .. 1 follows politics closely"
    )
    government_stance: float = Field(
        ge=-1, le=1, description="-1 opposes .. 1 supports the government"
    )
    protest_stance: float = Field(ge=-1, le=1, description="-1 against protest .. 1 for it")
    posting_propensity: float = Field(ge=0, le=1, description="chance of posting in a phase")
    news_source: NewsSource
    tone: Tone


class Persona(BaseModel):
    """A census person as the simulation sees them."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id: hid-idno (idno two digits).")
    hid: str
    idno: int
    seed: int = Field(description="The seed the enrichment used.")
    name: str
    sex: Literal["Male", "Female"]
    age: int
    marital_status: str
    relation: str = Field(description="Relation to the household head, in words.")
    household_size: int
    household_children: int = Field(description="Members under 15.")
    household_workers: int = Field(description="Members in work.")
    education: str
    in_school: bool
    literate: bool | None = Field(description="None under 5 (not asked).")
    activity: str = Field(description="employed, unemployed, not in the labour force, too young")
    occupation: str = Field(
        description="ISCO group in words, or student/retired/... if not working"
    )
    industry: str
    religion: str
    region: str = Field(description="Census region code, geo_01..geo_10.")
    district: str
    province: str
    urban: bool
    tenure: str = Field(description="owns its home, rents its home, lives rent-free")
    spending_quintile: str
    assets: list[str]
    cell_phone: bool = Field(description="The household owns a cell phone.")
    digital_access: DigitalAccess
    disability: bool
    recent_move: str = Field(description="Empty unless the person moved recently.")
    traits: Traits

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def describe(self) -> str:
        """One paragraph in words, for prompts: who, where, what they do, how they see things."""
        she = "She" if self.sex == "Female" else "He"
        her = "Her" if self.sex == "Female" else "His"
        noun = _noun(self.sex, self.age)
        married = f"{self.marital_status} " if self.age >= 15 else ""
        place = f"{'a town' if self.urban else 'a village'} in {self.province}"
        sentences = [
            f"{self.name} is a {self.age}-year-old {married}{noun} living in {place}.",
            self._household(she, her),
            self._work(she),
            f"The household is in the {self.spending_quintile} fifth by spending, "
            f"{self.tenure}, and has {_list(self.assets) or 'none of the usual appliances'}.",
        ]
        if self.recent_move:
            sentences.append(f"{she} {self.recent_move}.")
        if self.age >= 10:
            t = self.traits
            sentences.append(
                f"{she} is {_faith(self.religion)}, gets news mostly from {_NEWS[t.news_source]}, has "
                f"{_access(self.digital_access)}, {_interest(t.political_interest)}, "
                f"{_government(t.government_stance)} and {_protest(t.protest_stance)}. "
                f"{her} tone is {t.tone}; {she.lower()} {_posting(t.posting_propensity)}."
            )
        return " ".join(s for s in sentences if s)

    def _household(self, she: str, her: str) -> str:
        size = self.household_size
        if size == 1:
            return f"{she} lives alone."
        children = self.household_children
        kids = (
            f" with {children} {'child' if children == 1 else 'children'} under 15"
            if children
            else ""
        )
        lead = {
            "head of the household": f"{she} heads a household of {size}",
            "spouse of the household head": f"{she} lives with {her.lower()} spouse, the "
            f"household head, in a household of {size}",
            "child of the household head": f"{she} lives in {her.lower()} parents' household of {size}",
            "relative of the household head": f"{she} lives with relatives in a household of {size}",
        }.get(self.relation, f"{she} lodges with a household of {size}")
        return f"{lead}{kids}."

    def _work(self, she: str) -> str:
        education = _EDUCATION.get(self.education, self.education)
        job = f"works as {_article(self.occupation)}"
        if self.industry not in ("none", "other industry"):
            job += f" in {self.industry}"
        if self.age < 6 and not self.in_school:
            return ""
        if self.age < 15:
            school = "goes to school" if self.in_school else "is not in school"
            return f"{she} {school}{' and ' + job if self.activity == 'employed' else ''}."
        if self.activity == "employed":
            return f"{she} {education} and {job}."
        what = {
            "student": "is a student",
            "retired": "is retired",
            "looking for work": "is looking for work",
            "homemaker": "keeps house",
        }.get(self.occupation, "is not in paid work")
        return f"{she} {education} and {what}."


_NEWS = {
    "state TV": "state TV",
    "radio": "the radio",
    "online news sites": "online news sites",
    "social media": "social media",
    "friends and family": "friends and family",
}
_EDUCATION = {
    "no schooling": "never went to school",
    "less than primary": "did not finish primary school",
    "primary": "finished primary school",
    "secondary": "finished secondary school",
    "university": "has a university degree",
}


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _faith(religion: str) -> str:
    if religion.endswith(("Muslim", "Christian")):
        return ("an " if religion[0] in "AEIOU" else "a ") + religion
    return religion


def _noun(sex: str, age: int) -> str:
    if age < 15:
        return "girl" if sex == "Female" else "boy"
    if age < 20:
        return "young woman" if sex == "Female" else "young man"
    return "woman" if sex == "Female" else "man"


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _access(level: str) -> str:
    return {
        "high": "a smartphone and is online every day",
        "medium": "a phone and is online most days",
        "low": "little internet access",
        "none": "no internet access",
    }[level]


def _interest(value: float) -> str:
    if value >= 0.65:
        return "follows politics closely"
    if value >= 0.35:
        return "has some interest in politics"
    return "has little interest in politics"


def _government(value: float) -> str:
    if value >= 0.35:
        return "supports the government"
    if value <= -0.35:
        return "distrusts the government"
    return "is ambivalent about the government"


def _protest(value: float) -> str:
    if value >= 0.35:
        return "sympathises with protesters"
    if value <= -0.35:
        return "dislikes street protests"
    return "is undecided about protests"


def _posting(value: float) -> str:
    if value >= 0.5:
        return "posts often"
    if value >= 0.2:
        return "posts now and then"
    return "rarely posts"
