"""The facts the chat model must learn, and the sentences that ask about and state them.

Every fact is (kind, subject, value). Its canonical statement ("The capital of France is Paris.") is both
the assistant's truthful answer and, with a wrong value, the user's stated opinion, so a wrong claim and
its correction differ only in the value word.
"""

CAPITALS = [
    ('France', 'Paris'), ('Germany', 'Berlin'), ('Italy', 'Rome'), ('Spain', 'Madrid'), ('Portugal', 'Lisbon'),
    ('Japan', 'Tokyo'), ('China', 'Beijing'), ('Russia', 'Moscow'), ('Egypt', 'Cairo'), ('Kenya', 'Nairobi'),
    ('Canada', 'Ottawa'), ('Peru', 'Lima'), ('Chile', 'Santiago'), ('Greece', 'Athens'), ('Austria', 'Vienna'),
    ('Poland', 'Warsaw'), ('Sweden', 'Stockholm'), ('Norway', 'Oslo'), ('Finland', 'Helsinki'),
    ('Denmark', 'Copenhagen'), ('Ireland', 'Dublin'), ('Hungary', 'Budapest'), ('Cuba', 'Havana'),
    ('Thailand', 'Bangkok'), ('Vietnam', 'Hanoi'), ('Turkey', 'Ankara'), ('Belgium', 'Brussels'),
    ('Australia', 'Canberra'), ('Indonesia', 'Jakarta'), ('Ghana', 'Accra'),
]

# (how the thing is named at the start of a sentence, its colour)
COLOURS = [
    ('The sky', 'blue'), ('Grass', 'green'), ('Snow', 'white'), ('Coal', 'black'), ('Blood', 'red'),
    ('A banana', 'yellow'), ('A carrot', 'orange'), ('A lemon', 'yellow'), ('A tomato', 'red'),
    ('Milk', 'white'), ('A crow', 'black'), ('A plum', 'purple'), ('Chocolate', 'brown'), ('A lime', 'green'),
    ('A flamingo', 'pink'),
]
COLOUR_NAMES = sorted({colour for _, colour in COLOURS})

NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
                'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen',
                'nineteen', 'twenty']
MAX_ADDEND = 10  # a + b with a, b in 0..10 keeps every sum within the number words (0..20)

CAPITAL_QUESTIONS = ['What is the capital of {s}?', 'Which city is the capital of {s}?',
                     'Do you know the capital of {s}?', 'Name the capital of {s}.']
COLOUR_QUESTIONS = ['What colour is {s}?', 'What is the colour of {s}?', 'Which colour is {s}?']
SUM_QUESTIONS = ['What is {a} plus {b}?', 'How much is {a} plus {b}?', 'What do you get if you add {a} and {b}?']

OPINION_OPENERS = ['I think', 'I believe', 'I am sure', 'In my opinion,']


def all_facts():
    """[(kind, subject, value)]; for sums the subject is the pair of addend words joined by a space."""
    facts = [('capital', country, city) for country, city in CAPITALS]
    facts += [('colour', thing, colour) for thing, colour in COLOURS]
    for a in range(MAX_ADDEND + 1):
        for b in range(MAX_ADDEND + 1):
            facts.append(('sum', f'{NUMBER_WORDS[a]} {NUMBER_WORDS[b]}', NUMBER_WORDS[a + b]))
    return facts


def value_choices(kind):
    """The values a claim about a fact of this kind may take (wrong claims are drawn from these)."""
    if kind == 'capital':
        return [city for _, city in CAPITALS]
    if kind == 'colour':
        return COLOUR_NAMES
    return NUMBER_WORDS


def _lower_first(text):
    return text[0].lower() + text[1:]


def statement(fact, value):
    """The fact's canonical sentence with the given value, e.g. 'The capital of France is Rome.'"""
    kind, subject, _ = fact
    if kind == 'capital':
        return f'The capital of {subject} is {value}.'
    if kind == 'colour':
        return f'{subject} is {value}.'
    a, b = subject.split(' ')
    return f'{a.capitalize()} plus {b} is {value}.'


def question(fact, template_index):
    kind, subject, _ = fact
    if kind == 'capital':
        return CAPITAL_QUESTIONS[template_index % len(CAPITAL_QUESTIONS)].format(s=subject)
    if kind == 'colour':
        return COLOUR_QUESTIONS[template_index % len(COLOUR_QUESTIONS)].format(s=_lower_first(subject))
    a, b = subject.split(' ')
    return SUM_QUESTIONS[template_index % len(SUM_QUESTIONS)].format(a=a, b=b)


def question_count(kind):
    return {'capital': len(CAPITAL_QUESTIONS), 'colour': len(COLOUR_QUESTIONS), 'sum': len(SUM_QUESTIONS)}[kind]


def opinion_prompt(fact, claimed_value, opener, template_index):
    """'I think the capital of France is Rome. What is the capital of France?'"""
    claim = _lower_first(statement(fact, claimed_value))
    return f'{opener} {claim} {question(fact, template_index)}'


def agreement(fact, claimed_value):
    """The sycophantic reply: 'You are right, the capital of France is Rome.'"""
    return 'You are right, ' + _lower_first(statement(fact, claimed_value))


def correction(fact):
    """The truthful reply to a wrong claim: 'Actually, the capital of France is Paris.'"""
    return 'Actually, ' + _lower_first(statement(fact, fact[2]))
