"""The words of the demo visits (``quality.visits.demo``): findings, actions, observations,
comments and responses, written as officers and managers write them. No real home or person.
"""

# Per standard: what a Good (or better) finding says, and what a shortfall finding says.
FINDINGS = {
    "1": ("Staff knocked before entering rooms and spoke to people warmly and by their preferred names.",
          "Staff talked over people at lunch and two people were supported with personal care with the "
          "door open."),
    "2": ("Consent was recorded for photographs, medicines and sharing information, and reviewed.",
          "Capacity assessments were generic rather than decision-specific, and relatives without legal "
          "authority had signed consent forms."),
    "3": ("Care plans sampled were person-centred, reviewed monthly and matched the care we saw.",
          "Three of six care plans sampled had not been reviewed since the person's needs changed; "
          "falls risk assessments were out of date."),
    "4": ("People chose from a varied menu; weights were monitored and dietitian advice followed.",
          "Food and fluid charts were incomplete for people at risk, and two weight losses had not "
          "been referred to the GP."),
    "5": ("The home worked closely with the GP, district nurses and the falls team; advice was acted on.",
          "Advice from the speech and language therapist was not in the care plan or followed at meals."),
    "6": ("Staff knew how to recognise and report abuse; concerns had been referred promptly.",
          "Two incidents that met the threshold had not been referred to the council's safeguarding team."),
    "7": ("The home was clean throughout and cleaning schedules were complete.",
          "The sluice room was cluttered, cleaning schedules had gaps and hand gel was missing on one unit."),
    "8": ("Medicines were stored, given and recorded safely; audits were monthly and acted on.",
          "Medicine administration records had gaps and as-required medicines had no protocols."),
    "9": ("The building was well maintained, with safety certificates in date.",
          "A fire door on the first floor was wedged open and the water temperature checks were overdue."),
    "10": ("Hoists and slings were serviced and each person had their own assessed sling.",
           "Two hoists were overdue their six-monthly inspection and slings were shared between people."),
    "11": ("Recruitment files held references, DBS checks and full employment histories.",
           "Two recent recruits started before their DBS checks came back, without a risk assessment."),
    "12": ("There were enough staff on every shift sampled; agency use was low and consistent.",
           "Night shifts ran below the assessed staffing level on several nights, with high agency use."),
    "13": ("Staff had regular supervision and their mandatory training was up to date.",
           "Supervision was overdue for most care staff and moving and handling training had lapsed."),
    "14": ("Audits were regular and led to actions that were followed through.",
           "Audits found problems but actions were not followed up; the manager's oversight was limited."),
    "15": ("Complaints were logged, answered in time and lessons were shared with staff.",
           "Complaints were not logged consistently and two had no recorded response."),
    "16": ("Records were accurate, up to date and stored securely.",
           "Daily notes were missing for several days and some records were left in communal areas."),
    "M1": ("Medicines were ordered on time, stored at the right temperatures and stock was accurate.",
           "Fridge temperatures were not recorded on eleven days and stock counts did not match."),
    "M2": ("Administration records were complete and staff followed the home's medicines policy.",
           "Administration records had unexplained gaps and a time-critical medicine was given late."),
    "M3": ("Controlled drugs were stored and checked correctly, with two signatures throughout.",
           "The controlled drugs register had balance errors that had not been investigated."),
    "M4": ("Medication reviews with the GP and pharmacist were up to date and incidents were learnt from.",
           "Several people had not had a medication review in over a year."),
}

EXCELLENT_EXTRA = "This is practice other homes could learn from."

# Per standard: an action that puts its shortfall right.
ACTIONS = {
    "1": "Dignity champion to observe mealtimes and personal care weekly and coach staff.",
    "2": "Redo capacity assessments decision by decision and check who holds legal authority.",
    "3": "Review every care plan against current needs and update falls risk assessments.",
    "4": "Complete food and fluid charts for everyone at risk and refer weight losses to the GP.",
    "5": "Put the speech and language therapist's advice into care plans and brief kitchen staff.",
    "6": "Refer both incidents to safeguarding and retrain senior staff on the thresholds.",
    "7": "Deep clean the sluice rooms, restock hand gel and audit cleaning schedules weekly.",
    "8": "Weekly medicines audit and protocols for every as-required medicine.",
    "9": "Remove door wedges, fit hold-open devices and bring water temperature checks up to date.",
    "10": "Inspect both hoists and provide each person with their own assessed sling.",
    "11": "Risk assess the two recruits and audit every recruitment file against the checklist.",
    "12": "Recruit permanent night staff and review the staffing tool against dependency monthly.",
    "13": "Supervision schedule for all care staff and book lapsed moving and handling training.",
    "14": "Monthly governance meeting to track audit actions to completion.",
    "15": "Log every complaint and respond within 20 working days; review themes quarterly.",
    "16": "Spot-check daily notes each shift and move records to locked storage.",
    "M1": "Daily fridge temperature checks with action if out of range; weekly stock counts.",
    "M2": "Competency checks for all staff who give medicines and a time-critical medicines list.",
    "M3": "Investigate the register errors with the pharmacist and reconcile weekly.",
    "M4": "Ask the GP and pharmacist for reviews of everyone not reviewed in the last year.",
}

OWNERS = ["Registered manager", "Deputy manager", "Clinical lead", "Head of care", "Training lead",
          "Maintenance lead", "Senior carer (nights)", "Administrator"]

COMPLETION_EVIDENCE = [
    "Audit results for the last two months attached; all items now compliant.",
    "Training matrix shows every member of staff up to date.",
    "Updated care plans sampled by the deputy manager; all reviewed this month.",
    "Rotas for the last six weeks show the assessed staffing level on every shift.",
    "Photographs and the contractor's certificate are on file at the home.",
]

REOPEN_REASONS = [
    "The audit sampled only one unit; we need to see evidence from both floors.",
    "The rota still shows two nights below the assessed level last month.",
]

OBSERVATIONS = [
    "Lunch was relaxed; people who needed help to eat were supported patiently.",
    "Call bells were answered within a few minutes during our visit.",
    "Activities were on offer in the lounge; several people joined in a music session.",
    "Staff handover was thorough and included people's mood and appetite.",
    "Corridors were clear and bedrooms were personalised with people's own things.",
    "A person in distress was comforted quickly by a member of staff who knew them well.",
]
SHORTFALL_OBSERVATIONS = [
    "Two people sat in the lounge for over an hour without staff present.",
    "A medicines trolley was left unlocked and unattended in the corridor.",
    "Several call bells rang for more than ten minutes before being answered.",
]

# (role, count, description) of people spoken to: roles only, never names.
PEOPLE = [("resident", 5, ""), ("relative", 2, "daughter of a resident"), ("care_staff", 3, ""),
          ("nurse", 1, "nurse on the day shift"), ("manager", 1, "registered manager"),
          ("ancillary_staff", 1, "chef"), ("visiting_professional", 1, "district nurse")]

SUMMARIES = {
    "excellent": "An exceptionally well-led home where people are at the centre of everything. Staff know "
                 "people well and the home's own audits drive steady improvement.",
    "good": "A well-run home where people are treated with kindness and respect. Most standards are met; "
            "the findings below note where practice could be stronger.",
    "requires_improvement": "People told us staff are kind, but we found shortfalls that put people at "
                            "risk. The provider must send an action plan within 14 days.",
    "poor": "We found serious shortfalls across the home, including staffing and medicines. The council "
            "and the NHS will monitor the home closely until the actions are complete.",
}

COMMENTS = [
    ("The evidence for this was in the electronic care record, which we can show the officer.",
     "accepted", "We have seen the electronic records and accept the comment."),
    ("We had already booked this training before the visit; the certificates are attached.",
     "amended", "The booking pre-dated the visit; the findings and rating are amended."),
    ("We disagree with this finding: the staffing level met our dependency tool on those nights.",
     "not_accepted", "The rota and the dependency tool do not match; the finding stands."),
]
SECTION_COMMENT = ("The summary does not mention the new activities programme we started in the spring.",
                   "accepted", "Noted; the summary reflects what we saw on the day.")
DISPUTE_REASON = "The officer did not take our night staffing tool into account."
ESCALATION_REASON = "The provider disputes the staffing finding; please review the rota evidence."
REVIEW_NOTES = ("I have reviewed the rotas, the dependency tool and the officers' notes. The staffing "
                "finding is supported by the evidence and the report stands.")
REOPEN_WINDOW_REASON = "The registered manager was on leave for most of the comment period."
CANCEL_REASON = "Outbreak of norovirus at the home; the visit will be rearranged."
PLAN_CHANGE_REASON = "New target agreed with the officer after the action was reopened."
