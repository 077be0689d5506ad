"""Where the generated projects are and who lives there: the UN missions' countries, their
cities and neighbourhoods, and the names of their people.

Project `index` lies in country `index % 6`, in one of its cities, with two neighbourhoods
whose names are unique programme-wide (a name used up in a city comes back as "Bel Air 2", …).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: (ISO code, country, mission (name, acronym), cities: (city, latitude, longitude, neighbourhoods))
COUNTRIES = [
    (
        "HT",
        "Haiti",
        ("United Nations Stabilization Mission in Haiti", "MINUSTAH"),
        [
            (
                "Port-au-Prince",
                18.547,
                -72.339,
                ["Bel Air", "Fort National", "Martissant", "Cité Soleil", "Carrefour-Feuilles", "Solino"],
            ),
            ("Cap-Haïtien", 19.759, -72.198, ["Shada", "Petite Anse", "Bande du Nord", "Fossette"]),
            ("Gonaïves", 19.447, -72.689, ["Raboteau", "Jubilé", "Bienac", "Descahos"]),
        ],
    ),
    (
        "CD",
        "Democratic Republic of the Congo",
        ("United Nations Organization Stabilization Mission in the DR Congo", "MONUSCO"),
        [
            ("Goma", -1.679, 29.222, ["Katindo", "Mabanga", "Ndosho", "Murara"]),
            ("Bukavu", -2.508, 28.861, ["Panzi", "Kadutu", "Nyawera", "Bagira"]),
        ],
    ),
    (
        "ML",
        "Mali",
        ("United Nations Multidimensional Integrated Stabilization Mission in Mali", "MINUSMA"),
        [
            ("Bamako", 12.639, -8.003, ["Bagadadji", "Niarela", "Sabalibougou", "Kalaban Coura"]),
            ("Gao", 16.272, -0.044, ["Aljanabandja", "Sosso Koira", "Château", "Gadeye"]),
        ],
    ),
    (
        "CF",
        "Central African Republic",
        (
            "United Nations Multidimensional Integrated Stabilization Mission in the Central African "
            "Republic",
            "MINUSCA",
        ),
        [("Bangui", 4.394, 18.558, ["PK5", "Boy-Rabe", "Combattant", "Fatima", "Galabadja", "Boeing"])],
    ),
    (
        "SS",
        "South Sudan",
        ("United Nations Mission in South Sudan", "UNMISS"),
        [("Juba", 4.859, 31.571, ["Gudele", "Munuki", "Hai Malakal", "Gumbo", "Jebel", "Kator"])],
    ),
    (
        "LR",
        "Liberia",
        ("United Nations Mission in Liberia", "UNMIL"),
        [("Monrovia", 6.301, -10.797, ["West Point", "New Kru Town", "Clara Town", "Logan Town"])],
    ),
]


#: The names of the people, drawn in every country alike.
FIRST_NAMES_F = (
    "Marie Roseline Nadège Guerline Widline Fabienne Mirlande Sandra Esther Aminata Fatoumata Grace "
    "Mercy Neema Aline Josiane"
).split()
FIRST_NAMES_M = (
    "Jean Wilson Frantz Ricardo Peterson Wesner Kervens Stanley Moussa Ibrahim Emmanuel Joseph Patrick "
    "Samuel Didier Alain"
).split()
LAST_NAMES = (
    "Joseph Pierre Louis Jean-Baptiste Charles Saint-Fleur Dorval Etienne Traoré Coulibaly Kabila Mukendi "
    "Deng Garang Kollie Doe Ngoma"
).split()


@dataclass(frozen=True)
class HoodSpec:
    name: str
    city: str
    country: str
    latitude: Decimal
    longitude: Decimal


def country_of(index: int) -> tuple:
    return COUNTRIES[index % len(COUNTRIES)]


def hoods_of(index: int) -> tuple[HoodSpec, HoodSpec]:
    """The two neighbourhoods of project `index`: same city, unique names programme-wide."""
    iso, _country, _mission, cities = country_of(index)
    k = index // len(COUNTRIES)  # the project's rank within its country
    city, lat, lon, bases = cities[k % len(cities)]
    m = k // len(cities)  # its rank within its city
    specs = []
    for j in (2 * m, 2 * m + 1):
        base, zone = bases[j % len(bases)], j // len(bases) + 1
        name = base if zone == 1 else f"{base} {zone}"
        jitter = Decimal(j % 7) / 1000
        specs.append(
            HoodSpec(
                name,
                city,
                iso,
                Decimal(str(lat)).quantize(Decimal("0.00001")) + jitter,
                Decimal(str(lon)).quantize(Decimal("0.00001")) - jitter,
            )
        )
    return specs[0], specs[1]
