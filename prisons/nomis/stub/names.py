"""Common first names and surnames in England and Wales, for the stub's seeded prisoners and their families.

Hand-written, a mix across generations and backgrounds, with a few apostrophes and hyphens so that forms meet
the names real visitors type.
"""

from __future__ import annotations

MALE_FIRST_NAMES = (
    "Aaron", "Adam", "Ahmed", "Alan", "Alex", "Ali", "Andrew", "Anthony", "Arjun", "Ashley", "Barry", "Ben",
    "Bradley", "Brandon", "Callum", "Carl", "Charlie", "Chris", "Connor", "Craig", "Daniel", "Darren", "David",
    "Dean", "Declan", "Dylan", "Ethan", "Gareth", "Gary", "George", "Harry", "Hassan", "Ibrahim", "Jack", "Jake",
    "James", "Jamie", "Jason", "Jordan", "Joseph", "Josh", "Kane", "Kevin", "Kieran", "Kyle", "Lee", "Leon",
    "Liam", "Luke", "Marcus", "Mark", "Martin", "Matthew", "Michael", "Mohammed", "Nathan", "Neil", "Oliver",
    "Owen", "Paul", "Peter", "Reece", "Rhys", "Richard", "Robert", "Ryan", "Sam", "Scott", "Sean", "Shane",
    "Simon", "Stephen", "Steven", "Stuart", "Terry", "Thomas", "Tom", "Tyler", "Wayne", "William", "Yusuf",
    "Zak", "Dafydd", "Emeka", "Kwame", "Tomasz", "Piotr", "Ciaran",
)  # fmt: skip

FEMALE_FIRST_NAMES = (
    "Aisha", "Alice", "Amanda", "Amelia", "Amy", "Angela", "Bethan", "Caroline", "Charlotte", "Chloe", "Claire",
    "Danielle", "Donna", "Elaine", "Eleanor", "Ellie", "Emily", "Emma", "Fatima", "Gemma", "Georgia", "Grace",
    "Hannah", "Hayley", "Helen", "Holly", "Jade", "Jane", "Jasmine", "Jennifer", "Jessica", "Joanne", "Julie",
    "Karen", "Katie", "Kelly", "Kerry", "Laura", "Lauren", "Leanne", "Lisa", "Louise", "Lucy", "Maria", "Megan",
    "Michelle", "Molly", "Natalie", "Nicola", "Olivia", "Paula", "Priya", "Rachel", "Rebecca", "Samantha",
    "Sarah", "Shannon", "Sharon", "Sophie", "Stacey", "Susan", "Tracey", "Victoria", "Zara", "Zoe", "Ffion",
    "Cerys", "Siobhan", "Agnieszka", "Abimbola", "Nia", "Ruby", "Poppy", "Isla", "Freya", "Mia", "Evie",
)  # fmt: skip

SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore",
    "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson",
    "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell",
    "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer",
    "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens",
    "Jenkins", "Murray", "Dixon", "Harvey", "O'Brien", "O'Connor", "McDonald", "Okafor", "Mensah", "Nowak",
    "Ahmed", "Rahman", "Lloyd-Jones", "Smith-Williams", "Francis", "Gordon", "Reid", "Doherty", "Kowalski",
)  # fmt: skip
