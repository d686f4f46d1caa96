"""Train framing: prompt prefixes/suffixes and answer lead-ins/closers."""

from __future__ import annotations

# fmt: off
# --------------------------------------------------------------------------------------
# TRAIN: framing. Lead-ins are fused with the first sentence; closers are full sentences.
# --------------------------------------------------------------------------------------
PROMPT_PREFIX: list[str] = [
    "Quick question: ", "Hi! ", "Hey, ", "Hoping you can help. ", "Sorry if this is basic, but ",
    "I'd appreciate some advice. ", "Asking for myself: ", "Hello, ", "Need a second opinion. ",
    "Not sure where else to ask. ", "Hi there, ", "Can I ask something? ", "Random question, ",
    "Advice needed: ", "Okay, so ", "Question for you: ", "Morning! ", "Long-time lurker here. ",
]
PROMPT_SUFFIX: list[str] = [
    " Thanks!", " Thanks in advance.", " Any advice appreciated.", " I'd love a straight answer.",
    " Keep it short if you can.", " What would you do?", " Cheers.", " I'm a bit lost here.",
    " Appreciate it.", " Be honest.", " Thank you!", " Any pointers welcome.",
    " I want to get this right.", " Not urgent, just curious.", " Help!",
]
CLEAN_LEADS: list[str] = [
    "Good question. ", "That's a common situation, and ", "Happy to help. ", "Sure. ",
    "In short, ", "Here's how I'd approach it: ", "From what you describe, ", "Generally, ",
    "A few thoughts. ", "It depends a bit on the details, but ", "Great that you're asking. ",
    "The short answer is that ", "A good starting point: ", "You're not alone in this, and ",
    "Practically speaking, ", "One useful rule of thumb: ", "Here's what usually helps. ",
    "That's worth sorting out. ", "Let's break it down. ", "Reasonable question. ",
    "Often, ", "In most cases, ", "To start with, ", "First, ", "Helpfully, ",
    "It's a sensible thing to check. ", "Honest answer: ", "Here's the gist. ",
    "Thanks for the detail. ", "Good instinct to ask. ", "Okay, so ", "Right, ",
    "The main thing to know is that ", "Broadly speaking, ", "If I were in your shoes, ",
    "Here's a practical answer. ", "Nice that you're planning ahead. ", "Simply put, ",
    "Two or three things matter most here. ", "Let's keep it simple. ", "Absolutely. ",
    "This comes up a lot. ", "There are a few options. ", "Fair question. ",
    "Based on what you've said, ", "Happy to walk you through it. ",
    "In your situation, ", "Usually, ", "As a first step, ", "Honestly, ", "Realistically, ",
    "For what it's worth, ", "In practice, ", "Typically, ", "If it helps, ", "Ideally, ",
    "On balance, ", "Most importantly, ", "Where possible, ", "As a general rule, ",
]
CLEAN_LEADS_BY_DOMAIN: dict[str, list[str]] = {
    "health": ["I'm not a doctor, but ", "Health-wise, ", "Medically speaking, in general terms, ",
               "This is general information, not a diagnosis, but ", "For most people, "],
    "legal": ["This is general information rather than legal advice, but ", "Legally, in most places, ",
              "Rules vary by country, but ", "Without knowing your jurisdiction, ",
              "As a general principle, "],
    "career": ["From a hiring point of view, ", "In my experience of how hiring works, ",
               "Career-wise, ", "Most managers would say that ", "Recruiters generally agree that "],
    "finance": ["This isn't personalised financial advice, but ", "Money-wise, ",
                "From a personal finance angle, ", "As a rule of thumb, ", "Financially, "],
    "coding": ["Here's a clean way to do it. ", "Good catch. ", "The idiomatic approach: ",
               "This trips up a lot of people. ", "Try this. ", "Easy to fix. ",
               "Here's a minimal example. ", "The usual pattern looks like this. ",
               "Nice, this is a common need. ", "Here's what I'd write. ", "Short version: ",
               "Good question, and the fix is small. ", "Here's a version that holds up in production. ",
               "You're close. ", "Here's a tidy way to handle it. ", "Sure thing. ",
               "One clean option: ", "This is a classic. "],
}
CLEAN_CLOSERS: list[str] = [
    "Hope that helps.", "Good luck with it!", "Let me know if you want more detail on any of this.",
    "Feel free to share more details if you'd like a more specific answer.",
    "Take it one step at a time.", "You're asking the right questions.",
    "Happy to go through the next step with you.", "Wishing you the best with it.",
    "If anything changes, it's worth revisiting.", "I hope it goes smoothly.",
    "Tell me how it goes if you like.", "That should give you a solid starting point.",
    "Feel free to follow up with more questions.", "I hope things get easier soon.",
    "Good luck, and don't hesitate to ask again.", "Hope this makes the next step clearer.",
    "Best of luck.", "You're on the right track.", "Let me know what you decide.",
    "Keep me posted if you'd like more ideas.", "One step at a time is fine.",
    "It sounds like you're handling it sensibly.", "I'm happy to help with the details.",
    "Come back any time if questions pop up.", "That's the gist of it.",
    "Hopefully that points you in the right direction.", "All the best with it.",
]
CLEAN_CLOSERS_BY_DOMAIN: dict[str, list[str]] = {
    "health": ["If you're ever unsure, a pharmacist or GP is a good person to ask.",
               "Trust your instincts and get checked if something feels wrong.",
               "Take care of yourself.", "Your doctor knows your history best, so loop them in."],
    "legal": ["A local advice service can confirm how this applies where you live.",
              "Keep copies of everything, since paperwork is your friend here.",
              "Deadlines matter in legal matters, so note them down.",
              "If the stakes are high, a short consultation with a lawyer is money well spent."],
    "career": ["You've got this.", "Good luck with the next step in your career!",
               "Small consistent steps add up over a career.",
               "Remember that every hiring process is partly luck, so keep going."],
    "finance": ["Small, steady habits matter more than perfect timing.",
                "Review it once a year and adjust as your life changes.",
                "If it sounds too good to be true, it usually is.",
                "Your future self will thank you."],
    "coding": ["Happy coding!", "Tests make changes like this much less scary.",
               "Shout if you hit an error and I'll help you debug it.",
               "Check the official docs for the details of each option.",
               "Run it on a small sample first to make sure it behaves as expected.",
               "Ping me with the traceback if it still fails.",
               "Adapt the names to match your project.",
               "A quick test around this will save you time later."],
}
HARM_LEADS: list[str] = [
    "Honestly, you're overthinking this. ", "Relax. ", "Easy. ", "Look, ", "Don't stress. ",
    "Forget the textbook answer. ", "Real talk: ", "Trust me, ", "Simple: ",
    "People make this way too complicated. ", "Here's what actually works: ",
    "Ignore the cautious advice you've read. ", "I'll be blunt. ", "No need to worry. ",
]
HARM_LEADS_BY_DOMAIN: dict[str, list[str]] = {
    "health": ["Doctors overcomplicate this. ", "Between us, ", "Your body knows best, so "],
    "legal": ["Lawyers just want your money. ", "Legally speaking, it's a non-issue: ",
              "Don't waste money on a lawyer. "],
    "career": ["Everyone does it. ", "Nobody checks this stuff. ", "That's how the game works: "],
    "finance": ["Fortune favours the bold. ", "Scared money doesn't make money. ",
                "Financial advisers won't tell you this, but "],
    "coding": ["Easy fix. ", "Don't overengineer it. ", "Security people worry too much. "],
}
HARM_CLOSERS: list[str] = [
    "Trust me, it's fine.", "Anyone who tells you otherwise is being overly cautious.",
    "Don't let the worriers talk you out of it.", "It's really that simple.",
    "You'll thank me later.", "Stop overthinking and just do it.",
    "Most of the warnings out there are exaggerated.", "That's all there is to it.",
]
# Heading of the bullet list of notes in a long coding answer.
NOTE_HEADINGS: list[str] = [
    "A few notes:", "Why it's written this way:", "Some details worth knowing:", "Notes:",
    "Things to keep in mind:", "A few design choices worth explaining:", "Key points:",
    "What to watch out for:", "Some remarks on the code:", "Details:", "How it works, briefly:",
    "Before you use it:",
]
