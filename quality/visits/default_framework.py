"""Version 1 of the assessment framework: the widely used council framework (16 standards in
5 domains, after the older CQC essential standards) and a medicines-management module for
homes registered for nursing (after Nottingham's iCare medicines score).

Each standard: code, title, what good looks like, whether it is a key standard (a Poor key
standard caps the overall rating), and two to four questions, each with guidance for the
officer and prompts for the evidence to look at. Commissioners change the framework by
copying this version; visits keep the version they were made with.
"""

from ..choices import StandardModule
from .rating import default_rating_rule

VERSION_1_NAME = "Quality monitoring framework"
VERSION_1_NOTES = ("The council framework: 16 standards in 5 domains rated Excellent, Good, "
                   "Requires improvement or Poor, with a medicines-management module for nursing homes.")
DEFAULT_APPLIES_TO = {StandardModule.CORE: ["residential", "nursing", "dual"],
                      StandardModule.MEDICINES: ["nursing", "dual"]}


def q(text: str, guidance: str, *prompts: str) -> dict:
    return {"text": text, "guidance": guidance, "evidence_prompts": list(prompts)}


def s(code: str, title: str, description: str, questions: list[dict], *, key: bool = False,
      module: str = StandardModule.CORE) -> dict:
    return {"code": code, "title": title, "description": description, "is_key": key,
            "module": module, "questions": questions}


DOMAINS = [
    ("Involvement and information", [
        s("1", "Respecting and involving people who use services",
          "People are treated with dignity and respect, understand their care, and are involved "
          "in decisions about it and about the running of the home.", [
              q("Are people treated with dignity, respect and kindness?",
                "Watch how staff speak to and support people, especially with personal care and at "
                "mealtimes. Ask people how staff treat them.",
                "Observation of interactions", "What residents and relatives say",
                "Privacy and dignity policy and training records"),
              q("Are people and those close to them involved in planning and reviewing their care?",
                "Look for the person's own words and choices in care plans, and reviews they or "
                "their representative took part in.",
                "Care plans signed or agreed by the person", "Review records",
                "Residents' and relatives' meeting minutes"),
              q("Do people have the information they need in a form they understand?",
                "Check information is accessible (large print, easy read, other languages) and "
                "that people know how to raise concerns or reach an advocate.",
                "Service user guide", "Notice boards", "Advocacy information"),
          ]),
        s("2", "Consent to care and treatment",
          "Care is given with people's consent; where a person lacks capacity, the Mental "
          "Capacity Act 2005 is followed and decisions are made in their best interests.", [
              q("Is consent sought and recorded before care and treatment?",
                "Check consent is specific (photographs, medicines, sharing information) and "
                "reviewed, and that relatives do not sign without legal authority.",
                "Consent forms", "Care plans", "Lasting power of attorney records"),
              q("Are mental capacity assessments and best-interest decisions made and recorded "
                "properly?",
                "Assessments should be decision-specific and show how the person was supported "
                "to decide.",
                "Mental capacity assessments", "Best-interest decision records",
                "Staff knowledge of the Mental Capacity Act"),
              q("Are Deprivation of Liberty Safeguards applied for, tracked and their conditions met?",
                "Compare the home's DoLS tracker with the people who are under continuous "
                "supervision and not free to leave.",
                "DoLS tracker", "Authorisations and conditions", "Notifications to CQC"),
          ]),
    ]),
    ("Personalised care and support", [
        s("3", "Care and welfare of people who use services",
          "People's needs are assessed and they receive safe, person-centred care that meets "
          "them, including at the end of life.", [
              q("Are needs assessed before admission and care plans person-centred and up to date?",
                "Sample care plans across the home; check they reflect the person's history, "
                "preferences and current needs and are reviewed at least monthly.",
                "Pre-admission assessments", "Care plans and monthly reviews",
                "One-page profiles"),
              q("Are risks to people's health (falls, pressure ulcers, weight loss, choking) "
                "assessed and managed?",
                "Check recognised tools are used (for example Waterlow, MUST) and that actions "
                "follow when risk rises.",
                "Risk assessments", "Repositioning and falls records", "Referrals made"),
              q("Do people have meaningful activity and occupation?",
                "Observe what people are doing across the day, including those who stay in their "
                "rooms.", "Activity programme and records", "Observation", "What people say"),
              q("Are people's wishes for the end of their life known and met?",
                "Look for advance care plans, ReSPECT or DNACPR forms and links with palliative "
                "care teams.", "Advance care plans", "ReSPECT forms", "End-of-life training"),
          ], key=True),
        s("4", "Meeting nutritional needs",
          "People are supported to eat and drink enough, with choice and with their dietary "
          "and cultural needs met.", [
              q("Do people get enough to eat and drink, with choice?",
                "Observe a mealtime: choice, presentation, support given, drinks offered between "
                "meals.", "Mealtime observation", "Menus", "What people say about the food"),
              q("Are people at risk of malnutrition or dehydration identified and supported?",
                "Check weights are monitored and action taken on weight loss, including dietitian "
                "and speech and language therapy referrals.",
                "MUST scores and weight records", "Food and fluid charts", "Referrals"),
              q("Are special diets and textures (IDDSI) provided correctly?",
                "Compare what kitchen staff know with care plans for people on modified diets.",
                "Kitchen diet sheet", "Care plans", "Speech and language therapy advice"),
          ]),
        s("5", "Co-operating with other providers",
          "The home works with GPs, community health services, hospitals and others so that "
          "people's care is joined up.", [
              q("Does the home work effectively with GPs and community health services?",
                "Look for regular GP or multidisciplinary rounds and that advice is acted on.",
                "Records of professional visits", "Care plans updated after advice"),
              q("Is the right information shared when people move between services?",
                "Check hospital transfer packs, discharge information and the use of the "
                "red bag or an equivalent.", "Transfer documents", "Discharge letters"),
          ]),
    ]),
    ("Safeguarding and safety", [
        s("6", "Safeguarding people who use services from abuse",
          "People are protected from abuse and avoidable harm, and concerns are reported and "
          "acted on.", [
              q("Do staff recognise abuse and know how to report it?",
                "Ask several staff, including night and agency staff, what they would do.",
                "Staff interviews", "Safeguarding training records", "Safeguarding policy"),
              q("Are safeguarding concerns reported to the council and CQC and acted on?",
                "Compare the home's log with the council's records of alerts.",
                "Safeguarding log", "Notifications to CQC", "Actions and lessons learned"),
              q("Are restraint and restrictive practices lawful, proportionate and recorded?",
                "Look for bed rails, sensor mats, locked doors and as-required medicines used for "
                "behaviour.", "Restrictive practice records", "Risk assessments", "DoLS"),
              q("Are people's money and belongings kept safe?",
                "Check personal allowance records are reconciled and receipts kept.",
                "Personal monies records", "Audits"),
          ], key=True),
        s("7", "Cleanliness and infection control",
          "The home is clean and infection risks are prevented and controlled.", [
              q("Is the home clean and free from offensive odours?",
                "Walk through bedrooms, bathrooms, sluices and the laundry.",
                "Observation", "Cleaning schedules"),
              q("Are infection prevention and control practices followed?",
                "Check hand hygiene, personal protective equipment and the handling of laundry "
                "and clinical waste, and outbreak management.",
                "Infection control audits", "Training records", "Outbreak records"),
          ]),
        s("8", "Management of medicines",
          "Medicines are ordered, stored, given and recorded safely.", [
              q("Are medicines given as prescribed and recorded accurately?",
                "Sample medication administration records (MAR) and check stock balances against "
                "them.", "MAR charts", "Stock counts", "Observation of a medicines round"),
              q("Are medicines stored securely and at the right temperature?",
                "Check trolleys, rooms and fridges, and controlled drugs storage.",
                "Fridge and room temperature records", "Controlled drugs register"),
              q("Are as-required (PRN) and covert medicines managed safely?",
                "Look for PRN protocols and for covert administration agreed with the GP and "
                "pharmacist after a capacity assessment.",
                "PRN protocols", "Covert medicines agreements"),
          ], key=True),
        s("9", "Safety and suitability of premises",
          "The premises are safe, well maintained and suited to the people who live there.", [
              q("Are the premises safe and well maintained?",
                "Check fire safety, water temperatures, window restrictors and the environment's "
                "state of repair.", "Fire risk assessment and drills", "Maintenance log",
                "Legionella and water temperature checks"),
              q("Is the environment suitable for the people living there, including people with "
                "dementia?",
                "Look for signage, lighting, contrast, and access to outside space.",
                "Observation", "Environmental audits"),
          ]),
        s("10", "Safety, availability and suitability of equipment",
          "Equipment is available, suitable for each person, and safely maintained.", [
              q("Is the equipment people need available and suitable?",
                "Check hoists, slings (named per person), pressure-relieving mattresses and "
                "wheelchairs against care plans.", "Equipment inventory", "Care plans"),
              q("Is equipment serviced and checked as required (LOLER, PAT)?",
                "Check hoist and lift servicing under LOLER every six months, and mattress settings.",
                "Servicing certificates", "Mattress checks"),
          ]),
    ]),
    ("Suitability of staffing", [
        s("11", "Requirements relating to workers",
          "Staff are recruited safely and are fit for their roles.", [
              q("Are recruitment checks complete before staff start?",
                "Sample staff files: DBS check, two references, full employment history with gaps "
                "explained, right to work.", "Staff files", "Recruitment policy"),
              q("Are registered nurses' PINs and agency staff profiles checked?",
                "Check NMC registration is verified and agency profiles received before shifts.",
                "NMC checks", "Agency staff profiles"),
          ]),
        s("12", "Staffing",
          "There are enough suitably skilled staff, day and night, to meet people's needs.", [
              q("Are there enough staff, day and night, to meet people's needs?",
                "Compare rotas with the dependency tool and with what you see, including call "
                "bell response times.", "Rotas", "Dependency tool", "Call bell audit"),
              q("How much does the home rely on agency staff, and is continuity maintained?",
                "Look at agency hours and whether regular agency staff are used.",
                "Agency use records", "Induction for agency staff"),
              q("Is the skill mix right, including nurses and senior carers on each shift?",
                "Check each shift has a competent person in charge.", "Rotas", "Competency records"),
          ], key=True),
        s("13", "Supporting workers",
          "Staff are inducted, trained, supervised and appraised.", [
              q("Do staff receive induction and mandatory training, kept up to date?",
                "Check the training matrix, including the Care Certificate for new care staff.",
                "Training matrix", "Care Certificate records"),
              q("Do staff have regular supervision and an annual appraisal?",
                "Sample supervision records and ask staff whether they feel supported.",
                "Supervision and appraisal records", "Staff interviews"),
              q("Do staff have the specialist skills people need (dementia, end of life, clinical)?",
                "Match training to the needs of the people living at the home.",
                "Training matrix", "Competency assessments"),
          ]),
    ]),
    ("Quality of management", [
        s("14", "Assessing and monitoring the quality of service provision",
          "The home is well led: the provider checks quality, learns from incidents and acts.", [
              q("Is there a registered manager and clear leadership?",
                "Check the manager is registered with CQC and that staff know who is in charge.",
                "CQC registration", "Staff interviews"),
              q("Do audits find problems and lead to improvement?",
                "Look for audits that find something and an action that followed.",
                "Audit programme and results", "Provider visits", "Improvement plan"),
              q("Are incidents and accidents analysed for patterns and lessons learned?",
                "Check falls and incidents are reviewed monthly and notifications are sent.",
                "Incident log and analysis", "Notifications to CQC"),
              q("Are the views of people, relatives and staff sought and acted on?",
                "Look for surveys and meetings with 'you said, we did'.",
                "Surveys", "Meeting minutes"),
          ]),
        s("15", "Complaints",
          "Complaints are welcomed, investigated and responded to, and learned from.", [
              q("Do people know how to complain, and is the procedure accessible?",
                "Ask people and relatives; check the procedure is displayed.",
                "Complaints procedure", "What people say"),
              q("Are complaints investigated and responded to in time, with lessons learned?",
                "Sample complaints from receipt to outcome.", "Complaints log", "Responses"),
          ]),
        s("16", "Records",
          "Records about people, staff and the running of the home are accurate, complete and "
          "kept securely.", [
              q("Are people's records accurate, complete and contemporaneous?",
                "Compare daily notes and charts with what you observe.",
                "Daily notes", "Charts", "Care plans"),
              q("Are records stored securely and in line with data protection law?",
                "Check access to electronic systems and paper records, and the Data Security and "
                "Protection Toolkit.", "Observation", "DSPT status"),
          ]),
    ]),
    ("Medicines management (nursing homes)", [
        s("M1", "Ordering, receipt and storage of medicines",
          "Medicines are ordered in time, checked in, and stored safely.", [
              q("Are medicines ordered and received in time, with no gaps in supply?",
                "Check the monthly cycle and any omissions for want of stock.",
                "Ordering records", "MAR omissions"),
              q("Are storage, temperatures and disposal safe and recorded?",
                "Check clinical rooms, fridges (2–8°C), and returns records.",
                "Temperature records", "Returns book"),
          ], module=StandardModule.MEDICINES),
        s("M2", "Administration and recording",
          "Medicines are given safely by competent staff and recorded accurately.", [
              q("Are MAR charts complete, with codes for doses not given and stock balances right?",
                "Audit a sample of MAR charts against stock.", "MAR charts", "Stock balances"),
              q("Are time-critical medicines (Parkinson's, insulin, anticoagulants) given on time?",
                "Check administration times against prescriptions.", "MAR charts", "Care plans"),
              q("Are nurses' and carers' competencies in medicines assessed each year?",
                "Check competency assessments for everyone who gives medicines.",
                "Competency records"),
          ], key=True, module=StandardModule.MEDICINES),
        s("M3", "Controlled drugs and clinical medicines",
          "Controlled drugs, syringe drivers, anticipatory medicines and insulin are managed "
          "safely.", [
              q("Is the controlled drugs register accurate, with two signatures and regular checks?",
                "Check balances for a sample of controlled drugs.", "Controlled drugs register"),
              q("Are anticipatory (end-of-life) medicines and syringe drivers managed safely?",
                "Check prescriptions, charts and staff competence with syringe drivers.",
                "Anticipatory medicines", "Syringe driver charts"),
          ], module=StandardModule.MEDICINES),
        s("M4", "Medication reviews and incidents",
          "Medicines are reviewed regularly and medication incidents are reported and learned from.", [
              q("Has each person had a structured medication review in the last year?",
                "Look for reviews by the GP or the care home pharmacist, including antipsychotics.",
                "Medication reviews"),
              q("Are medication errors reported, investigated and learned from?",
                "Compare the incident log with the monthly return's medication errors.",
                "Incident log", "Safeguarding referrals for medicines"),
          ], module=StandardModule.MEDICINES),
    ]),
]


def build_default_framework(FrameworkVersion, FrameworkDomain, Standard, Question):  # noqa: N803
    """Make and publish version 1 from ``DOMAINS``. Takes the model classes so the data
    migration can pass its historical models."""
    from django.utils import timezone

    from ..choices import FrameworkStatus

    version = FrameworkVersion.objects.create(
        number=1, name=VERSION_1_NAME, notes=VERSION_1_NOTES, status=FrameworkStatus.PUBLISHED,
        published_on=timezone.now(), rating_rule=default_rating_rule(),
        applies_to={str(k): v for k, v in DEFAULT_APPLIES_TO.items()})
    for d_order, (title, standards) in enumerate(DOMAINS, start=1):
        domain = FrameworkDomain.objects.create(version=version, title=title, order=d_order * 10)
        for s_order, data in enumerate(standards, start=1):
            standard = Standard.objects.create(
                version=version, domain=domain, code=data["code"], title=data["title"],
                description=data["description"], is_key=data["is_key"], weight=1,
                module=str(data["module"]), order=s_order * 10)
            Question.objects.bulk_create(
                Question(standard=standard, code=f"{data['code']}.{n}", order=n * 10, weight=1,
                         **question) for n, question in enumerate(data["questions"], start=1))
    return version
