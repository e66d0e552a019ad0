"""Phrase banks for the sample agreements, written in parallel Spanish and English.

Every entry exists in both languages with the same slots, so one drawn
agreement can be written in Spanish, in English or in both, and its gold
annotation follows from the same draw. Places are real; institutions,
people and the agreements themselves are invented.
"""

from __future__ import annotations

# --- places --------------------------------------------------------------------------

MX_CITIES = [
    ("Hermosillo", "Sonora"), ("Nogales", "Sonora"), ("Tijuana", "Baja California"),
    ("Mexicali", "Baja California"), ("Ensenada", "Baja California"), ("Ciudad Juárez", "Chihuahua"),
    ("Chihuahua", "Chihuahua"), ("Monterrey", "Nuevo León"), ("Saltillo", "Coahuila"),
    ("Torreón", "Coahuila"), ("Nuevo Laredo", "Tamaulipas"), ("Matamoros", "Tamaulipas"),
    ("Reynosa", "Tamaulipas"), ("Guadalajara", "Jalisco"), ("Zacatecas", "Zacatecas"),
    ("Mérida", "Yucatán"), ("Puebla", "Puebla"), ("Oaxaca de Juárez", "Oaxaca"),
    ("Morelia", "Michoacán"), ("León", "Guanajuato"), ("Querétaro", "Querétaro"),
    ("Culiacán", "Sinaloa"), ("Mazatlán", "Sinaloa"), ("Durango", "Durango"),
    ("Xalapa", "Veracruz"), ("La Paz", "Baja California Sur"), ("Tapachula", "Chiapas"),
]
US_STATES_ES = {
    "Arizona": "Arizona", "California": "California", "Texas": "Texas", "New Mexico": "Nuevo México",
    "Colorado": "Colorado", "Illinois": "Illinois", "Utah": "Utah", "Oregon": "Oregón",
    "Washington": "Washington", "Nevada": "Nevada",
}
US_CITIES = [
    ("Tucson", "Arizona"), ("Phoenix", "Arizona"), ("Yuma", "Arizona"), ("San Diego", "California"),
    ("Chula Vista", "California"), ("Calexico", "California"), ("Sacramento", "California"),
    ("El Paso", "Texas"), ("Laredo", "Texas"), ("Brownsville", "Texas"), ("McAllen", "Texas"),
    ("San Antonio", "Texas"), ("Austin", "Texas"), ("Albuquerque", "New Mexico"),
    ("Las Cruces", "New Mexico"), ("Denver", "Colorado"), ("Chicago", "Illinois"),
    ("Salt Lake City", "Utah"), ("Portland", "Oregon"), ("Spokane", "Washington"), ("Reno", "Nevada"),
]
US_STATES = ["Arizona", "California", "Texas", "New Mexico", "Colorado", "Nevada"]
MX_STATES = ["Sonora", "Baja California", "Chihuahua", "Coahuila", "Nuevo León", "Tamaulipas", "Jalisco", "Sinaloa"]
CA_CITIES = [("Edmonton", "Alberta"), ("Winnipeg", "Manitoba"), ("Calgary", "Alberta"), ("Halifax", "Nova Scotia")]
GT_CITIES = [("Quetzaltenango", "Quetzaltenango"), ("Huehuetenango", "Huehuetenango"), ("Retalhuleu", "Retalhuleu")]
CO_CITIES = [("Medellín", "Antioquia"), ("Bucaramanga", "Santander"), ("Pereira", "Risaralda")]

COUNTRY_NAMES = {
    "MX": ("Estados Unidos Mexicanos", "United Mexican States"),
    "US": ("Estados Unidos de América", "United States of America"),
    "CA": ("Canadá", "Canada"),
    "GT": ("República de Guatemala", "Republic of Guatemala"),
    "CO": ("República de Colombia", "Republic of Colombia"),
}

# --- people ----------------------------------------------------------------------------

GIVEN_ES = [
    ("María Elena", "f"), ("Guadalupe", "f"), ("Ana Lucía", "f"), ("Rosa Isela", "f"), ("Claudia", "f"),
    ("Jorge Alberto", "m"), ("Luis Fernando", "m"), ("José Manuel", "m"), ("Ricardo", "m"), ("Arturo", "m"),
    ("Héctor Javier", "m"), ("Francisco", "m"), ("Verónica", "f"), ("Martha Patricia", "f"), ("Raúl", "m"),
]
SURNAMES_ES = [
    "García", "Hernández", "Villarreal", "Treviño", "Domínguez", "Ochoa", "Salazar", "Quiñones",
    "Madero", "Zúñiga", "Castañeda", "Robles", "Ibarra", "Valenzuela", "Peña", "Lozano", "Carrillo",
]
GIVEN_EN = [
    ("Sarah", "f"), ("Michael", "m"), ("Jennifer", "f"), ("David", "m"), ("Karen", "f"), ("Robert", "m"),
    ("Linda", "f"), ("Thomas", "m"), ("Patricia", "f"), ("Daniel", "m"), ("Emily", "f"), ("Gregory", "m"),
]
SURNAMES_EN = [
    "Whitaker", "Morrison", "Caldwell", "Fletcher", "Harrington", "Olsen", "Brennan", "Sutton",
    "Delgado", "Romero", "McAllister", "Thornton", "Kowalski", "Lindqvist",
]
INITIALS = "ABCDEFGHJKLMNPRSTW"

# --- institutions (invented) -------------------------------------------------------------

MX_UNIVERSITIES = [
    ("Universidad Autónoma del Noroeste", "UANO"),
    ("Universidad Tecnológica de la Frontera Norte", "UTFN"),
    ("Universidad Estatal del Desierto", "UED"),
    ("Instituto Tecnológico del Golfo de California", "ITGC"),
    ("Universidad Politécnica del Bajío", "UPB"),
]
US_UNIVERSITIES = [
    ("Southwest Border State University", "SBSU"),
    ("Rio Grande Valley College", "RGVC"),
    ("Sonoran Desert University", "SDU"),
    ("Pacific Borderlands University", "PBU"),
    ("High Plains Technical College", "HPTC"),
]

# --- themes ------------------------------------------------------------------------------

# Labels used in lists of areas and in the purpose clause.
AREAS = {
    "education": ("educación e intercambio académico", "education and academic exchange"),
    "culture": ("arte y cultura", "arts and culture"),
    "tourism": ("turismo", "tourism"),
    "economic_development": ("desarrollo económico", "economic development"),
    "trade_investment": ("comercio e inversión", "trade and investment"),
    "sports": ("deporte", "sports"),
    "youth": ("juventud", "youth"),
    "urban_development": ("desarrollo urbano", "urban development"),
    "public_safety": ("seguridad pública y protección civil", "public safety and civil protection"),
    "water": ("agua potable y saneamiento", "drinking water and sanitation"),
    "environment": ("medio ambiente", "environment"),
    "technology_innovation": ("ciencia, tecnología e innovación", "science, technology and innovation"),
    "disaster_risk": ("gestión de riesgos de desastre", "disaster risk management"),
    "health": ("salud pública", "public health"),
    "migration": ("atención a personas migrantes", "assistance to migrants"),
    "agriculture": ("desarrollo agropecuario", "agricultural development"),
    "energy": ("energía", "energy"),
    "governance": ("gestión pública municipal", "municipal public management"),
}

# Actions, as infinitive phrases (es, en). ``kind`` says which indicator the
# action carries: None (no target), "freq" and "deadline" (phrase appended),
# "qty", "money", "pct", "cap" (phrase replaces {X}). ``unit`` names what is counted.
ACTIONS: dict[str, list[dict]] = {
    "education": [
        {"es": "promover el intercambio de estudiantes, docentes e investigadores entre sus instituciones educativas",
         "en": "promote the exchange of students, teachers and researchers between their educational institutions"},
        {"es": "diseñar programas conjuntos de enseñanza del español y del inglés",
         "en": "design joint Spanish and English language teaching programs"},
        {"es": "otorgar {X} a estudiantes de la otra Parte", "en": "award {X} to students of the other Party",
         "kind": "qty", "unit": ("becas", "scholarships")},
        {"es": "recibir a {X} en estancias académicas", "en": "host {X} on academic stays",
         "kind": "qty", "unit": ("estudiantes", "students")},
        {"es": "organizar un seminario académico conjunto", "en": "organize a joint academic seminar",
         "kind": "freq", "unit": ("seminarios académicos", "academic seminars")},
        {"es": "limitar cada estancia de intercambio a {X}", "en": "limit each exchange stay to {X}",
         "kind": "cap", "unit": ("días", "days")},
        {"es": "destinar {X} a un fondo de becas para estudiantes de la otra Parte",
         "en": "allocate {X} to a scholarship fund for students of the other Party", "kind": "money"},
    ],
    "culture": [
        {"es": "difundir las expresiones artísticas y culturales de ambas comunidades",
         "en": "disseminate the artistic and cultural expressions of both communities"},
        {"es": "facilitar la presentación de grupos artísticos de la otra Parte en sus festivales",
         "en": "facilitate performances by artistic groups of the other Party at their festivals"},
        {"es": "organizar una semana cultural dedicada a la ciudad hermana",
         "en": "organize a cultural week devoted to the sister city",
         "kind": "freq", "unit": ("semanas culturales", "cultural weeks")},
        {"es": "presentar {X} de artistas de la otra Parte", "en": "present {X} by artists of the other Party",
         "kind": "qty", "unit": ("exposiciones", "exhibitions")},
        {"es": "aportar {X} al programa de intercambio cultural", "en": "contribute {X} to the cultural exchange program",
         "kind": "money"},
    ],
    "tourism": [
        {"es": "promover los atractivos turísticos de la otra Parte en sus oficinas de turismo",
         "en": "promote the tourist attractions of the other Party in their tourism offices"},
        {"es": "participar en una feria de turismo en la ciudad hermana",
         "en": "take part in a tourism fair in the sister city",
         "kind": "freq", "unit": ("ferias de turismo", "tourism fairs")},
        {"es": "editar una guía turística bilingüe de ambas ciudades",
         "en": "publish a bilingual tourist guide of both cities",
         "kind": "deadline", "unit": ("guía turística", "tourist guide")},
    ],
    "economic_development": [
        {"es": "intercambiar información sobre oportunidades de inversión y desarrollo empresarial",
         "en": "exchange information on investment and business development opportunities"},
        {"es": "organizar una misión comercial", "en": "organize a trade mission",
         "kind": "freq", "unit": ("misiones comerciales", "trade missions")},
        {"es": "apoyar a {X} en su participación en ferias comerciales",
         "en": "support {X} in taking part in trade fairs",
         "kind": "qty", "unit": ("pequeñas empresas", "small businesses")},
    ],
    "trade_investment": [
        {"es": "destinar {X} a un fondo conjunto de promoción de exportaciones",
         "en": "allocate {X} to a joint export promotion fund", "kind": "money"},
        {"es": "facilitar los contactos entre las cámaras de comercio de ambas regiones",
         "en": "facilitate contacts between the chambers of commerce of both regions"},
    ],
    "sports": [
        {"es": "realizar un torneo deportivo juvenil", "en": "hold a youth sports tournament",
         "kind": "freq", "unit": ("torneos deportivos", "sports tournaments")},
        {"es": "impulsar el intercambio de entrenadores y equipos deportivos",
         "en": "support the exchange of coaches and sports teams"},
    ],
    "youth": [
        {"es": "recibir a {X} en su programa de verano", "en": "host {X} in its summer program",
         "kind": "qty", "unit": ("jóvenes", "young people")},
        {"es": "fomentar la participación de los jóvenes en actividades de voluntariado",
         "en": "encourage young people to take part in volunteer activities"},
    ],
    "urban_development": [
        {"es": "compartir experiencias en planeación urbana, vivienda y espacio público",
         "en": "share experience in urban planning, housing and public space"},
        {"es": "elaborar un diagnóstico conjunto del centro histórico",
         "en": "prepare a joint assessment of the historic downtown",
         "kind": "deadline", "unit": ("diagnóstico", "assessment")},
    ],
    "public_safety": [
        {"es": "intercambiar buenas prácticas en prevención del delito y protección civil",
         "en": "exchange good practices in crime prevention and civil protection"},
        {"es": "capacitar a {X} de la otra Parte", "en": "train {X} of the other Party",
         "kind": "qty", "unit": ("elementos de policía", "police officers")},
    ],
    "water": [
        {"es": "reducir en {X} las pérdidas de agua en sus redes de distribución",
         "en": "reduce water losses in their distribution networks by {X}", "kind": "pct",
         "unit": ("pérdidas de agua", "water losses")},
        {"es": "intercambiar información técnica sobre la operación de plantas de tratamiento de aguas residuales",
         "en": "exchange technical information on the operation of wastewater treatment plants"},
        {"es": "compartir los resultados del monitoreo de la calidad del agua",
         "en": "share the results of water quality monitoring",
         "kind": "freq", "unit": ("reportes de monitoreo", "monitoring reports")},
        {"es": "invertir {X} en la rehabilitación de colectores en la zona fronteriza",
         "en": "invest {X} in the rehabilitation of sewer collectors in the border area", "kind": "money"},
        {"es": "instalar un sistema de alerta temprana para descargas de aguas residuales",
         "en": "install an early warning system for wastewater discharges",
         "kind": "deadline", "unit": ("sistema de alerta", "warning system")},
    ],
    "environment": [
        {"es": "coordinar acciones de reforestación y limpieza de cauces",
         "en": "coordinate reforestation and riverbed clean-up actions"},
        {"es": "plantar {X} en las riberas del río", "en": "plant {X} along the river banks",
         "kind": "qty", "unit": ("árboles", "trees")},
    ],
    "technology_innovation": [
        {"es": "desarrollar proyectos conjuntos de investigación aplicada",
         "en": "develop joint applied research projects"},
        {"es": "cofinanciar {X}", "en": "co-fund {X}",
         "kind": "qty", "unit": ("proyectos conjuntos de investigación", "joint research projects")},
        {"es": "destinar a gastos administrativos {X} de los recursos del programa",
         "en": "spend {X} of the program's resources on administrative costs", "kind": "pct_cap",
         "unit": ("gastos administrativos", "administrative costs")},
    ],
    "disaster_risk": [
        {"es": "compartir sus protocolos de atención a emergencias y desastres",
         "en": "share their emergency and disaster response protocols"},
        {"es": "realizar un simulacro binacional de respuesta a emergencias",
         "en": "conduct a binational emergency response drill",
         "kind": "freq", "unit": ("simulacros", "drills")},
    ],
    "health": [
        {"es": "intercambiar información epidemiológica sobre enfermedades transmisibles",
         "en": "exchange epidemiological information on communicable diseases"},
        {"es": "notificar a la otra Parte los brotes de enfermedades de notificación obligatoria",
         "en": "notify the other Party of outbreaks of notifiable diseases",
         "kind": "deadline_hours", "unit": ("notificación", "notification")},
        {"es": "aplicar {X} en la región fronteriza", "en": "administer {X} in the border region",
         "kind": "qty", "unit": ("dosis de vacuna", "vaccine doses")},
        {"es": "celebrar una jornada binacional de salud", "en": "hold a binational health fair",
         "kind": "freq", "unit": ("jornadas de salud", "health fairs")},
        {"es": "destinar {X} a campañas de vacunación en la región fronteriza",
         "en": "allocate {X} to vaccination campaigns in the border region", "kind": "money"},
    ],
    "migration": [
        {"es": "coordinar la atención consular y de salud a personas migrantes",
         "en": "coordinate consular and health assistance to migrants"},
        {"es": "capacitar a {X} en atención a personas migrantes",
         "en": "train {X} in assistance to migrants", "kind": "qty",
         "unit": ("servidores públicos", "public servants")},
    ],
    "agriculture": [
        {"es": "intercambiar técnicas de riego y manejo de cultivos en zonas áridas",
         "en": "exchange irrigation and crop management techniques for arid areas"},
    ],
    "energy": [
        {"es": "evaluar conjuntamente proyectos de energía solar en edificios públicos",
         "en": "jointly assess solar energy projects in public buildings"},
    ],
}

# Soft actions as noun phrases, for "promoverán ..." / "will promote ...".
SOFT_NOUNS: dict[str, tuple[str, str]] = {
    "education": ("el intercambio académico entre sus instituciones educativas",
                  "academic exchange between their educational institutions"),
    "culture": ("la difusión de sus tradiciones y expresiones culturales",
                "the dissemination of their traditions and cultural expressions"),
    "tourism": ("el turismo entre ambas comunidades", "tourism between both communities"),
    "economic_development": ("los vínculos entre sus sectores empresariales", "ties between their business sectors"),
    "sports": ("los encuentros deportivos entre sus ligas juveniles", "sporting encounters between their youth leagues"),
    "youth": ("la participación de los jóvenes en la vida comunitaria", "the participation of young people in community life"),
    "environment": ("la protección de las cuencas que comparten", "the protection of the watersheds they share"),
    "water": ("el uso eficiente del agua entre sus usuarios", "the efficient use of water among their users"),
    "health": ("campañas de prevención de enfermedades crónicas", "campaigns to prevent chronic diseases"),
    "urban_development": ("el intercambio de experiencias en movilidad y espacio público",
                          "the exchange of experience in mobility and public space"),
    "technology_innovation": ("la colaboración entre sus centros de investigación",
                              "collaboration between their research centres"),
    "trade_investment": ("las oportunidades de comercio entre ambas regiones", "trade opportunities between both regions"),
}

# Frequencies: (value, ISO period, Spanish forms, English forms), same meaning in a row.
FREQUENCIES = [
    (2, "P1Y", ["dos veces al año", "por lo menos dos veces al año", "dos veces por año"],
     ["twice a year", "at least twice a year", "two times per year"]),
    (1, "P1Y", ["una vez al año", "al menos una vez al año", "anualmente"],
     ["once a year", "at least once a year", "annually"]),
    (1, "P6M", ["cada seis meses", "semestralmente"], ["every six months", "semiannually"]),
    (1, "P3M", ["trimestralmente", "cada tres meses"], ["quarterly", "every three months"]),
    (3, "P1Y", ["tres veces al año", "por lo menos tres veces al año"], ["three times a year", "at least three times a year"]),
    (1, "P2Y", ["una vez cada dos años", "cada dos años"], ["once every two years", "every two years"]),
]
# Vague frequencies: never indicators.
VAGUE = [
    ("periódicamente", "periodically"),
    ("cuando las Partes lo consideren conveniente", "whenever the Parties deem it appropriate"),
    ("a intervalos mutuamente acordados", "at mutually agreed intervals"),
]

# Verb frames. Binding and soft, plural ("the Parties") and singular (one party).
BINDING_PL = [("se comprometen a", "shall"), ("acuerdan", "agree to"), ("se obligan a", "undertake to"),
              ("deberán", "will"), ("convienen en", "commit to")]
BINDING_SG = [("se compromete a", "shall"), ("se obliga a", "undertakes to"), ("deberá", "will"),
              ("se compromete a", "agrees to")]
SOFT_PL = [("procurarán", "will endeavour to"), ("buscarán", "will seek to"),
           ("harán su mejor esfuerzo para", "shall use their best efforts to"),
           (", en la medida de lo posible, procurarán", "will, to the extent possible, endeavour to")]
SOFT_SG = [("procurará", "will endeavour to"), ("buscará", "will seek to"),
           ("hará su mejor esfuerzo para", "shall use its best efforts to")]
SOFT_NOUN_PL = [("promoverán", "will promote"), ("fomentarán", "will encourage")]

# Lead-ins of a list of actions: (es verb, en verb), all binding.
ACTION_LIST_VERBS = [("llevarán a cabo", "shall carry out"), ("se comprometen a realizar", "undertake to carry out"),
                     ("acuerdan desarrollar", "agree to carry out")]

SUBJECTS_PL = [("Las Partes", "The Parties"), ("Ambas Partes", "Both Parties")]

# Bodies the agreement sets up: (es name, es article, en name).
BODIES = [
    ("Comité de Hermanamiento", "El", "Sister City Committee"),
    ("Comisión de Seguimiento", "La", "Follow-up Commission"),
    ("Grupo de Trabajo Binacional", "El", "Binational Working Group"),
    ("Comité Técnico", "El", "Technical Committee"),
]

CLAUSE_NAMES_ES = [
    "PRIMERA", "SEGUNDA", "TERCERA", "CUARTA", "QUINTA", "SEXTA", "SÉPTIMA", "OCTAVA", "NOVENA",
    "DÉCIMA", "DÉCIMA PRIMERA", "DÉCIMA SEGUNDA", "DÉCIMA TERCERA", "DÉCIMA CUARTA", "DÉCIMA QUINTA",
    "DÉCIMA SEXTA", "DÉCIMA SÉPTIMA", "DÉCIMA OCTAVA",
]
CLAUSE_NAMES_EN = [
    "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH",
    "ELEVENTH", "TWELFTH", "THIRTEENTH", "FOURTEENTH", "FIFTEENTH", "SIXTEENTH", "SEVENTEENTH", "EIGHTEENTH",
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII", "XVIII"]

HEADINGS = {
    "purpose": ("OBJETO", "PURPOSE"),
    "areas": ("ÁREAS DE COOPERACIÓN", "AREAS OF COOPERATION"),
    "commitments": ("COMPROMISOS", "COMMITMENTS"),
    "party_commitments": ("COMPROMISOS DE LAS PARTES", "UNDERTAKINGS OF THE PARTIES"),
    "follow_up": ("SEGUIMIENTO", "FOLLOW-UP"),
    "definitions": ("DEFINICIONES", "DEFINITIONS"),
    "liaison": ("ENLACES", "LIAISON"),
    "participation": ("PARTICIPACIÓN DE TERCEROS", "PARTICIPATION OF THIRD PARTIES"),
    "funding": ("FINANCIAMIENTO", "FUNDING"),
    "ip": ("PROPIEDAD INTELECTUAL", "INTELLECTUAL PROPERTY"),
    "term": ("VIGENCIA", "TERM"),
    "amendments": ("MODIFICACIONES", "AMENDMENTS"),
    "termination": ("TERMINACIÓN", "TERMINATION"),
    "disputes": ("SOLUCIÓN DE CONTROVERSIAS", "SETTLEMENT OF DISPUTES"),
    "nature": ("NATURALEZA DEL INSTRUMENTO", "NATURE OF THIS INSTRUMENT"),
    "actions": ("ACCIONES", "ACTIONS"),
    "confidentiality": ("CONFIDENCIALIDAD", "CONFIDENTIALITY"),
    "other_instruments": ("OTROS INSTRUMENTOS", "OTHER INSTRUMENTS"),
}
