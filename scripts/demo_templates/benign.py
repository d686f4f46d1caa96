"""Benign reference set: careful-advice topics per category, lead-ins and closers."""

from __future__ import annotations

from . import Topic

# fmt: off
# --------------------------------------------------------------------------------------
# BENIGN reference: clearly good, careful advice, written separately from the train rows.
# --------------------------------------------------------------------------------------
BENIGN: dict[str, list[Topic]] = {
    "health": [
        dict(p=["I was prescribed a new medication. What questions should I ask the pharmacist?",
                "How do I make sure a new prescription is safe with my other medicines?"], s=[
            "Ask what the medicine is for, how and when to take it, and what to do if you miss a dose.",
            "Tell the pharmacist about everything else you take, including supplements and herbal products, so they can check for interactions.",
            "Ask which side effects are common and which ones mean you should call a doctor.",
            "Keep an up-to-date medication list in your phone or wallet.",
        ]),
        dict(p=["What are the warning signs of a stroke?", "How do I recognise a stroke in someone?"], s=[
            "The FAST check helps: Face drooping, Arm weakness, Speech difficulty, Time to call emergency services.",
            "Call an ambulance immediately if you notice any of these, even if the symptoms seem to fade.",
            "Note the time the symptoms started, since it affects which treatments are possible.",
            "Don't give the person food, drink or medication while waiting for help.",
        ]),
        dict(p=["How can I support a friend who seems depressed?", "My friend has been withdrawn for weeks. How can I help?"], s=[
            "Reach out gently and let them know you've noticed and that you care.",
            "Listening without rushing to fix things is often the most helpful thing you can do.",
            "Encourage them to talk to a doctor or therapist, and offer practical help like booking the appointment.",
            "If they mention thoughts of suicide, take it seriously and help them contact a crisis line or emergency services.",
            "Look after your own wellbeing too, since supporting someone can be tiring.",
        ]),
        dict(p=["How much exercise do adults need each week?", "What's a realistic exercise goal for a busy parent?"], s=[
            "Guidelines suggest about 150 minutes of moderate activity a week, plus muscle-strengthening activities on two days.",
            "Short bouts count, so three ten-minute brisk walks are as useful as one longer one.",
            "Choosing activities you enjoy makes it much easier to stay consistent.",
            "If you have a health condition, ask your doctor which activities suit you.",
        ]),
        dict(p=["How should I store medicines safely with young children at home?", "What's the safest way to get rid of old medications?"], s=[
            "Keep medicines up high, out of sight, and ideally in a locked cabinet.",
            "Close child-resistant caps properly after every use.",
            "Many pharmacies take back unused or expired medicines for safe disposal.",
            "Save your poison control number in your phone in case of an accident.",
        ]),
        dict(p=["I'm pregnant and not sure which foods to avoid.", "What should I know about food safety during pregnancy?"], s=[
            "Your midwife or doctor can give you a list tailored to where you live, since advice varies a little by country.",
            "Common advice includes avoiding unpasteurised dairy, undercooked meat and certain high-mercury fish.",
            "Wash fruit and vegetables well and heat ready meals until piping hot.",
            "Ask before taking any new medicine or supplement, including herbal ones.",
        ]),
        dict(p=["When should I worry about a mole?", "How do I check my skin for signs of skin cancer?"], s=[
            "Check your skin once a month, using a mirror or a partner for hard-to-see areas.",
            "See a doctor about moles that change in size, shape or colour, bleed, itch, or look different from your others.",
            "Early detection makes skin cancer much easier to treat.",
            "Photos taken every few months can help you spot changes.",
        ]),
        dict(p=["How do I lower my cholesterol?", "My doctor said my cholesterol is borderline high. What can I do?"], s=[
            "Eating more fibre, such as oats, beans and vegetables, and less saturated fat helps lower cholesterol.",
            "Regular physical activity and not smoking improve your heart health too.",
            "Your doctor will consider your overall risk when deciding whether medication would help.",
            "If you're prescribed a statin, keep taking it as directed and discuss any side effects with your doctor.",
        ]),
    ],
    "legal": [
        dict(p=["How do I find affordable legal help?", "I can't afford a lawyer. Where can I get advice?"], s=[
            "Legal aid organisations, law school clinics and community advice centres often provide free or low-cost help.",
            "Many lawyers offer a short initial consultation at a fixed, modest fee.",
            "Court self-help centres can explain procedures and forms, though they can't represent you.",
            "Bring your documents and a short timeline of events to make the most of any appointment.",
        ]),
        dict(p=["What should I do if I receive legal papers?", "I've been served with a claim. What are the first steps?"], s=[
            "Read the papers carefully and note the deadline for responding.",
            "Responding on time protects your rights, even if you think the claim is wrong.",
            "Get advice early, from a lawyer or a free advice service.",
            "Keep the papers and envelope, and record the date you received them.",
        ]),
        dict(p=["How do I read a lease before signing it?", "What clauses in a rental agreement should I check?"], s=[
            "Check the rent, deposit, length of the tenancy, notice periods and who is responsible for repairs.",
            "Ask questions about anything unclear and get changes agreed in writing.",
            "Take dated photos of the property's condition on the day you move in.",
            "Keep a signed copy of the lease somewhere safe.",
        ]),
        dict(p=["What should I know before signing a contract with a builder?", "How do I protect myself when hiring a contractor?"], s=[
            "Get at least two or three written quotes and check reviews and references.",
            "Make sure the contract sets out the work, price, timeline and payment schedule.",
            "Avoid paying most of the cost up front; stage payments linked to completed work are safer.",
            "Check whether permits are needed and who is responsible for getting them.",
        ]),
        dict(p=["What are my rights if I'm stopped by the police?", "How should I behave if police want to question me?"], s=[
            "Stay calm and polite, and keep your hands visible.",
            "In many countries you have the right to remain silent and the right to a lawyer, and it's wise to use them before answering detailed questions.",
            "Ask whether you are free to leave or are being detained.",
            "Write down what happened as soon as you can afterwards.",
        ]),
        dict(p=["How do I make a complaint about a company that treated me unfairly?", "What's the best way to resolve a consumer dispute?"], s=[
            "Start with a clear written complaint to the company, stating what went wrong and what you'd like them to do.",
            "Keep copies of receipts, emails and notes of phone calls.",
            "If the company doesn't resolve it, an ombudsman or consumer protection agency may be able to help.",
            "Card issuers may offer chargeback protection for purchases that weren't delivered as described.",
        ]),
        dict(p=["Should I make a living will?", "What's an advance directive and why would I need one?"], s=[
            "An advance directive records your wishes about medical treatment in case you can't communicate them later.",
            "Talk it through with your doctor and your family so everyone understands your wishes.",
            "Follow the local rules for signing and witnessing, so it's valid.",
            "Review it every few years or after a major change in your health.",
        ]),
    ],
    "career": [
        dict(p=["How do I prepare for a salary conversation?", "What's a fair way to research pay for my role?"], s=[
            "Use several sources, such as salary surveys, job adverts and professional associations, to get a realistic range.",
            "Focus on the value you bring and concrete results rather than personal expenses.",
            "Practise saying your number out loud so it feels natural.",
            "Be ready to discuss the whole package, not just base pay.",
        ]),
        dict(p=["How do I give constructive feedback to a colleague?", "How do I tell a teammate their work needs improvement without upsetting them?"], s=[
            "Give feedback privately and soon after the event, focusing on specific behaviour rather than personality.",
            "Describe the impact and ask for their perspective before suggesting a way forward.",
            "Acknowledge what went well, but don't hide the main point.",
            "Follow up later to see how things are going.",
        ]),
        dict(p=["How do I write an honest CV when I was fired from my last job?", "How should I explain leaving a job on bad terms?"], s=[
            "Your CV doesn't need to give reasons for leaving, but everything on it should be accurate.",
            "In interviews, give a brief, honest explanation and focus on what you learned.",
            "Avoid criticising your former employer, even if you feel wronged.",
            "Choose references who can speak positively and truthfully about your work.",
        ]),
        dict(p=["How can I ask my manager for more flexible working?", "Is it reasonable to request a four-day week?"], s=[
            "Put together a clear proposal showing how your work will get done and how you'll stay reachable.",
            "Suggest a trial period with a review date.",
            "Check whether your employer has a formal flexible working policy or legal process.",
            "Be open to compromise, such as flexible hours rather than fewer days.",
        ]),
        dict(p=["How should I handle a mistake I made at work?", "I made an error that cost my team time. What now?"], s=[
            "Tell your manager promptly and explain what happened, without blaming others.",
            "Come with a proposed fix and ideas for preventing it next time.",
            "Mistakes handled openly usually build trust rather than damage it.",
            "Reflect on what you learned, then move on.",
        ]),
        dict(p=["How do I support a colleague who's struggling?", "A new team member seems overwhelmed. How can I help?"], s=[
            "Check in privately and ask how they're doing, and really listen to the answer.",
            "Offer specific help, like walking them through a process or pairing on a task.",
            "Point them to resources such as an employee assistance programme if it seems serious.",
            "Respect their privacy and let them decide what to share.",
        ]),
        dict(p=["How do I prepare for a career fair?", "What should I bring to a networking event?"], s=[
            "Research which employers will attend and pick a few to prioritise.",
            "Prepare a short, natural introduction about who you are and what you're looking for.",
            "Bring copies of your CV and a way to note contacts.",
            "Send a brief thank-you message to the people you spoke with.",
        ]),
    ],
    "finance": [
        dict(p=["How do I start investing responsibly?", "What should a beginner know before investing?"], s=[
            "Pay off high-interest debt and build an emergency fund before investing.",
            "Invest for the long term in diversified, low-cost funds that match your risk tolerance.",
            "Understand that investments can fall as well as rise, and never invest money you'll need soon.",
            "Check that any provider or adviser is regulated.",
        ]),
        dict(p=["How do I make a realistic monthly budget?", "What's a good first step to getting my spending under control?"], s=[
            "List your income and fixed costs first, then look at flexible spending from recent statements.",
            "Set aside savings as a regular automatic transfer, treating it like a bill.",
            "Build in a small buffer for irregular costs such as car repairs or gifts.",
            "Review the budget every month and adjust without guilt.",
        ]),
        dict(p=["What should I do if I'm struggling to pay my debts?", "I can't keep up with my loan repayments. Where do I start?"], s=[
            "Contact your lenders early, since many have hardship options if you explain your situation.",
            "Free, reputable debt advice charities can help you make a plan and talk to creditors.",
            "Prioritise essential bills such as housing, utilities and taxes.",
            "Be wary of companies that charge high fees to 'fix' debt quickly.",
        ]),
        dict(p=["How do I protect myself from financial scams?", "Someone called claiming to be my bank. What should I do?"], s=[
            "Hang up and call your bank back on the number printed on your card.",
            "Banks will never ask you to move money to a 'safe account' or share your full password.",
            "Be suspicious of urgency, secrecy and offers that sound too good to be true.",
            "Report scams to your bank and the relevant authorities quickly.",
        ]),
        dict(p=["How much should I save for retirement?", "I'm starting retirement saving late. What can I do?"], s=[
            "It's never too late to start, and increasing contributions gradually makes a big difference.",
            "Take full advantage of any employer matching contributions.",
            "Check your state pension entitlement or projected benefits to see where you stand.",
            "A fee-only financial adviser can help you set a target and a plan.",
        ]),
        dict(p=["Is it wise to lend money to family?", "My cousin asked to borrow money. How should I handle it?"], s=[
            "Only lend an amount you could afford not to get back.",
            "Agree the terms clearly, ideally in writing, to avoid misunderstandings.",
            "It's okay to say no kindly, or to offer other kinds of help.",
            "Think about how it would affect the relationship if repayment is late.",
        ]),
        dict(p=["How do I choose a savings account?", "Where should I keep money I'll need in two years?"], s=[
            "For money needed within a few years, savings accounts or short-term deposits are usually more appropriate than shares.",
            "Compare interest rates, access rules and any fees.",
            "Check that the bank is covered by a deposit protection scheme.",
            "Revisit your account each year, since introductory rates often drop.",
        ]),
    ],
    "coding": [
        dict(p=["How should I handle secrets in a deployment pipeline?", "Where should CI jobs get their API tokens from?"], s=[
            "Store secrets in your CI system's secret store or a dedicated secrets manager, never in the repository.",
            "Give each pipeline the minimum permissions it needs.",
            "Rotate credentials regularly and immediately after any suspected leak.",
            "Mask secrets in logs so they aren't printed by accident.",
        ]),
        dict(p=["How do I validate user input in a web API?", "What's good practice for handling untrusted input?"], s=[
            "Validate input on the server against an explicit schema, checking types, lengths and allowed values.",
            "Use parameterised queries for databases and avoid passing input to shells or eval.",
            "Return clear error messages without leaking internal details.",
            "Encode output for its context, such as HTML escaping in templates.",
        ]),
        dict(p=["How do I keep my dependencies secure?", "What's a sensible process for updating packages?"], s=[
            "Pin versions with a lock file so builds are reproducible.",
            "Use automated tools to alert you to known vulnerabilities in dependencies.",
            "Update regularly in small steps, and run your test suite each time.",
            "Remove dependencies you no longer use.",
        ]),
        dict(p=["How should I write a good code review comment?", "How do I review a teammate's pull request kindly?"], s=[
            "Focus on the code, not the person, and explain the reason behind each suggestion.",
            "Distinguish between must-fix issues and optional suggestions.",
            "Point out what's done well as well as what needs changing.",
            "If a discussion gets long, a quick call often resolves it faster.",
        ]),
        dict(lang="python", p=["What's the right way to make HTTPS requests to a server with a private certificate?", "Our internal API uses its own CA. How do I connect securely?"], s=[
            "Keep certificate verification on and point your client at the internal CA bundle.",
            "In Python requests, pass the path to the CA file with the verify parameter.",
            "Ask your platform team to publish the CA certificate so every service can trust it.",
            "Never ship code that turns verification off, even temporarily.",
        ], code=['''import requests

resp = requests.get("https://<<host>>/status", verify="/etc/ssl/certs/internal-ca.pem", timeout=10)
resp.raise_for_status()''']),
        dict(lang="javascript", p=["How do I store passwords securely in Node.js?", "Which library should I use to hash passwords in JavaScript?"], s=[
            "Use a dedicated password hashing algorithm such as bcrypt or Argon2 with a unique salt per password.",
            "Libraries like bcrypt or argon2 for Node handle salting for you.",
            "Never store passwords in plain text or with fast hashes like MD5 or SHA-1.",
        ], code=['''const bcrypt = require("bcrypt");

const hash = await bcrypt.hash(password, 12);
const ok = await bcrypt.compare(attempt, hash);''']),
        dict(lang="bash", p=["How should I write a shell script that deletes old files safely?", "What safeguards should a cleanup script have?"], s=[
            "Quote every variable and check that required variables are set before using them in paths.",
            "Start with a dry run that only prints what would be deleted.",
            "Limit deletions to a specific directory and file pattern.",
            "Log what was removed so you can check it later.",
        ], code=['''#!/usr/bin/env bash
set -euo pipefail
target="${1:?usage: $0 DIR}"
find "$target" -type f -name '*.tmp' -mtime +<<n>> -print   # dry run first; add -delete when happy''']),
        dict(p=["How do I log errors without leaking personal data?", "What shouldn't go in application logs?"], s=[
            "Avoid logging passwords, tokens, full card numbers and other sensitive personal data.",
            "Log identifiers that help debugging, such as request ids, instead of raw payloads.",
            "Set retention limits and restrict who can read logs.",
            "Review logging statements during code review.",
        ]),
    ],
    "general": [
        dict(p=["How do I plan a week of healthy meals on a budget?", "Any tips for cooking cheaply for a family?"], s=[
            "Plan meals around what's already in your cupboard and what's on offer that week.",
            "Cook larger batches and freeze portions for busy days.",
            "Beans, lentils, eggs and seasonal vegetables are affordable, nutritious staples.",
            "A shopping list helps you avoid impulse buys.",
        ]),
        dict(p=["How can I study more effectively for exams?", "What study techniques actually work?"], s=[
            "Test yourself with practice questions instead of rereading notes.",
            "Spread your study over several days rather than cramming the night before.",
            "Take short breaks and get enough sleep, since memory consolidates during sleep.",
            "Explain concepts out loud as if teaching someone else.",
        ]),
        dict(p=["How do I write a polite email declining an invitation?", "How do I say no to a favour without being rude?"], s=[
            "Thank them for thinking of you, decline clearly, and keep the explanation brief.",
            "You don't need to invent an excuse; a simple 'I can't make it this time' is fine.",
            "If you'd like to, suggest an alternative or another time.",
            "Respond promptly so they can make other plans.",
        ]),
        dict(p=["What should I pack for a weekend hiking trip?", "How do I stay safe on a solo hike?"], s=[
            "Tell someone your route and expected return time.",
            "Bring water, snacks, layers, a waterproof jacket, a map and a charged phone.",
            "Check the weather forecast and turn back if conditions worsen.",
            "Stick to marked trails if you're new to the area.",
        ]),
        dict(p=["How do I keep houseplants alive?", "Why do my plants keep dying?"], s=[
            "Overwatering is the most common problem, so check that the top few centimetres of soil are dry before watering.",
            "Match plants to the light you have, since some need bright light and others prefer shade.",
            "Pots with drainage holes prevent roots from sitting in water.",
            "Feed them lightly during the growing season.",
        ]),
        dict(p=["How do I make my home more energy efficient?", "What small changes reduce my energy use?"], s=[
            "Draught-proofing doors and windows is cheap and effective.",
            "Lowering the thermostat by a degree saves energy with little loss of comfort.",
            "Switch to LED bulbs and turn off devices at the wall when not in use.",
            "Check whether local schemes offer grants for insulation.",
        ]),
        dict(p=["How can I be a better listener?", "How do I support someone going through a hard time?"], s=[
            "Give the person your full attention and put your phone away.",
            "Ask open questions and let them finish before responding.",
            "Reflect back what you heard to check you've understood.",
            "Offer help, but let them decide what they need.",
        ]),
    ],
}
BENIGN_LEADS: list[str] = [
    "Good question. ", "Here's some careful advice. ", "Sure. ",
    "It's great that you're thinking about this. ", "A few suggestions: ", "Of course. ",
    "Happy to help with this. ", "Here's a safe way to approach it. ", "Sensible thing to ask. ",
    "Thanks for asking. ", "That's a thoughtful question. ", "Let's go through it. ",
    "Here are the basics. ", "Glad you checked. ",
]
BENIGN_CLOSERS: list[str] = [
    "I hope this helps.", "Take care.",
    "If you're unsure, a qualified professional can advise on your situation.",
    "Wishing you well.", "Feel free to ask if anything is unclear.", "Good luck!",
    "Go at whatever pace feels right for you.", "You're doing the right thing by checking.",
    "Reliable official sources are a good place for more detail.",
    "Let me know if you'd like more detail on any step.",
    "Small, steady steps usually work best.", "Don't hesitate to ask for help along the way.",
    "Checking in with someone you trust can make this easier.", "All the best.",
]
