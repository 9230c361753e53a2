"""Clinical prose notes typed onto scanned pages, with exact ground truth (family ``notes``).

Four kinds, in rotation:

- ``icu-note``: ICU nursing progress notes in the telegraphic style (``Neuro:``, ``CV:``,
  ``Resp:`` ... ``Social:``, ``Plan:``), people named in lower case, ALL CAPS, by initial or
  nickname.
- ``discharge-summary``: physician discharge summaries (60 %) and admission H&Ps (40 %).
- ``social-work``: social work / case management discharge-planning notes (family, phones,
  addresses, insurance ids, SNFs and agencies).
- ``phone-note``: telephone encounters and addenda.

The text comes from sentence templates whose ``{generator:arg}`` tokens produce either plain
text or a marked identifier; every identifier is recorded as it is generated, so the truth is
exact by construction. Each document gets a printout header (facility, patient, MRN, DOB,
date), is wrapped at word boundaries (an identifier is never broken: it moves whole to the next
line), drawn at 300 DPI on US letter with a TrueType font found on this machine, and saved clean
or degraded like a scanner or a fax would.

Labelling conventions (the benchmark reads them):

- Titles and credentials are outside a PERSON span (``Dr. [Okafor]``, ``[Maria] RN``); initials
  that stand for a name are marked (``Dr [C]``).
- DATE covers anything more specific than a year; a weekday written with a date is part of it
  (``[Tues 4/2]``); for ``the 14th`` only ``[14th]`` is marked. Years alone and times are not PHI.
- AGE marks only the number of an age over 89.
- PHONE_NUMBER marks digits only: ``pgr [12345]``, ``(301) 944-5032 x[4432]``.
- A county is a CITY; a state is not PHI. Agencies named after a county or a town are FACILITY.
- Clinical eponyms (Parkinson's disease, Murphy's sign, Foley), generic units (MICU, 7 North),
  payers and device makers are not PHI. A document is redrawn when a word of a name or a city also
  appears as an ordinary word in it, so a word is never a name in one place and prose in another.

Run: ``python -m samples.families.notes --n 12 --seed 1 --out /tmp/nts``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import json
import math
import os
import random
import re
import subprocess
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pikepdf
from PIL import Image, ImageDraw, ImageFont

# ---------------------------------------------------------------------------
# Labels, kinds and levels
# ---------------------------------------------------------------------------

PERSON = "PERSON"
DATE = "DATE"
AGE = "AGE"
PHONE = "PHONE_NUMBER"
EMAIL = "EMAIL_ADDRESS"
URL = "URL"
FACILITY = "FACILITY"
CITY = "CITY"
STREET = "STREET_ADDRESS"
ZIP = "ZIP_CODE"
SSN = "US_SSN"
MRN = "MRN"
ID = "ID"
PHI_TYPES = frozenset(
    {PERSON, DATE, AGE, PHONE, EMAIL, URL, FACILITY, CITY, STREET, ZIP, SSN, MRN, ID}
)
PERSON_ROLES = frozenset({"patient", "relative", "provider", "other"})

KINDS = ("icu-note", "discharge-summary", "social-work", "phone-note")
LEVELS = ("clean", "moderate", "heavy")
LEVEL_SHARE = (0.40, 0.35, 0.25)
FORMATS = {"clean": ("pdf", "png"), "moderate": ("jpeg", "pdf"), "heavy": ("tiff", "pdf")}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "tiff": "tif"}

PAGE_W_IN, PAGE_H_IN = 8.5, 11.0
DRAW_DPI = 300

# A piece of note text: (text, PHI label or None, PERSON role or None).
Seg = tuple[str, str | None, str | None]
GenResult = str | list[Seg]


def _w(s: str) -> list[str]:
    return [x.strip() for x in s.split(",") if x.strip()]


def _txt(text: str) -> Seg:
    return (text, None, None)


def _phi(text: str, label: str, role: str | None = None) -> Seg:
    return (text, label, role)


def _framed(pre: str, phi: Seg, suf: str) -> list[Seg]:
    """``phi`` with the plain text before and after it, where there is any."""
    return [*([_txt(pre)] if pre else []), phi, *([_txt(suf)] if suf else [])]


# ---------------------------------------------------------------------------
# Names: origin -> (male given, female given, surnames)
# ---------------------------------------------------------------------------

ORIGINS = {
    "anglo": (
        _w(
            "James,John,Robert,Michael,William,David,Richard,Joseph,Thomas,Charles,Christopher,"
            "Daniel,"
            "Matthew,Donald,Steven,Paul,Andrew,Kenneth,George,Edward,Brian,Ronald,Timothy,Gary,"
            "Larry,"
            "Dennis,Jerry,Harold,Walter,Eugene,Ralph,Roy,Wayne,Gerald,Earl,Clyde,Floyd,Dwayne,Bud,"
            "Chuck,"
            "Skip,Sonny,Kenny,Bobby,Jimmy,Terry,Dale,Wade,Travis,Cody,Tyler,Dustin,Kyle,Logan,"
            "Randy,"
            "Howard,Leonard,Vernon,Marvin,Lloyd,Herbert,Norman,Stanley,Francis,Warren,"
            "Will,Bill,Mark,Hunter,Buck,Rusty,Heath,Glen,Cliff,Rocky,Frank,Major,King,Guy,Chance,"
            "Lane,"
            "Reed,Sterling,Forrest,Miles"
        ),
        _w(
            "Mary,Patricia,Jennifer,Linda,Elizabeth,Barbara,Susan,Jessica,Sarah,Karen,Nancy,Lisa,"
            "Betty,"
            "Margaret,Sandra,Ashley,Kimberly,Emily,Donna,Michelle,Dorothy,Carol,Amanda,Melissa,"
            "Deborah,"
            "Stephanie,Rebecca,Sharon,Laura,Cynthia,Kathleen,Amy,Shirley,Angela,Helen,Brenda,"
            "Pamela,"
            "Nicole,Samantha,Katherine,Christine,Debra,Rachel,Carolyn,Janet,Ruth,Maureen,Krissy,"
            "Kristen,"
            "Tammy,Brandy,Doris,Gladys,Mildred,Edna,Ethel,Irene,Lorraine,Bernice,Agnes,Myrtle,"
            "Brittany,"
            "Tiffany,Amber,Heather,Misty,Peggy,Judy,Marjorie,Loretta,Wanda,Bonnie,Darlene,"
            "Hope,Rose,Faith,Joy,Grace,Sandy,Dawn,Summer,June,Page,Pearl,Ruby,Ivy,Holly,Iris,"
            "Daisy,Lily,"
            "Violet,April,Autumn,Destiny,Charity,Patience,Mercy,Sunny,Honey,Star,Crystal,Penny,"
            "Goldie,"
            "Candy,Ginger,Harmony,Sage,Willow,Brook"
        ),
        _w(
            "Smith,Johnson,Williams,Jones,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,"
            "Jackson,"
            "Thompson,Harris,Clark,Lewis,Robinson,Walker,Hall,Allen,King,Wright,Scott,Baker,Adams,"
            "Nelson,Carter,Mitchell,Roberts,Turner,Phillips,Campbell,Parker,Evans,Edwards,Collins,"
            "Stewart,"
            "Morris,Rogers,Reed,Cook,Morgan,Bell,Bailey,Cooper,Richardson,Cox,Howard,Ward,Peterson,"
            "Watson,Brooks,Sanders,Price,Bennett,Barnes,Ross,Henderson,Coleman,Jenkins,Perry,"
            "Powell,"
            "Patterson,Hughes,Butler,Simmons,Foster,Bryant,Alexander,Russell,Griffin,Hayes,Myers,"
            "Ford,"
            "Hamilton,Graham,Wallace,Cole,West,Jordan,Owens,Fisher,Ellis,Harrison,Gibson,Marshall,"
            "Mosley,Higgins,Cronin,Whitaker,Pruitt,Haskins,Roberto,Ellison,Bigelow,Blake,"
            "Young,Strong,Wood,Hill,Brown,Black,Long,Little,Rich,May,Chase,White,Green,Gray,Frost,"
            "Rivers,"
            "Stone,Fox,Wolfe,Bird,Lamb,Bush,Moody,Hale,Sharp,Swift,Small,Short,Love,Church,Bishop,"
            "Page,"
            "Hunter,Fields,Banks,Marsh,Lake,Bond,Cash,Noble,Wise,Hardy,Sweet,Best,Summers,Winter,"
            "Day,"
            "Knight,Cross,Temple,Dean,Pope,Mason,Carpenter,Hope,Joy,Schmidt,Mueller,Schneider,"
            "Weber,"
            "Meyer,Wagner,Becker,Hoffmann,Koch,Klein,Schroeder,Neumann"
        ),
    ),
    "irish": (
        _w(
            "Padraig,Seamus,Declan,Ciaran,Eoin,Colm,Dermot,Oisin,Liam,Cormac,Eamon,Fergus,Cathal,"
            "Ronan,"
            "Tadhg,Kevin,Sean,Brendan,Patrick"
        ),
        _w(
            "Siobhan,Niamh,Aoife,Brigid,Fionnuala,Grainne,Roisin,Maeve,Sinead,Orla,Deirdre,Saoirse,"
            "Clodagh,Eileen,Bridget,Nora,Kathleen"
        ),
        _w(
            "O'Brien,Murphy,Kelly,Sullivan,Walsh,O'Connor,McCarthy,Byrne,Ryan,Doyle,Fitzgerald,"
            "Gallagher,"
            "Kavanagh,Keane,Donnelly,Quinn,Flanagan,Brennan,McNamara,O'Sullivan,Dempsey,Nolan,"
            "Maguire,"
            "Callahan,Hennessy,Costello,McGrath"
        ),
    ),
    "hispanic": (
        _w(
            "Jose,Juan,Carlos,Luis,Miguel,Jorge,Alejandro,Jesus,Ramon,Rigoberto,Ignacio,Fernando,"
            "Beto,"
            "Chuy,Paco,Hector,Rafael,Arturo,Efrain,Octavio,Joaquin,Santiago,Eduardo"
        ),
        _w(
            "Maria,Guadalupe,Rosario,Consuelo,Ximena,Yesenia,Esperanza,Dolores,Araceli,Marisol,"
            "Socorro,"
            "Mercedes,Lupita,Nayeli,Yolanda,Luz,Catalina,Marisela,Graciela,Veronica,Milagros,Alba"
        ),
        _w(
            "Garcia,Rodriguez,Martinez,Hernandez,Lopez,Gonzalez,Perez,Sanchez,Ramirez,Torres,"
            "Flores,"
            "Rivera,Gomez,Diaz,Reyes,Morales,Cruz,Ortiz,Gutierrez,Chavez,Ramos,Ruiz,Mendoza,"
            "Alvarez,"
            "Castillo,Jimenez,Vargas,Romero,Herrera,Medina,Aguilar,Vasquez,Delgado,Espinoza,de la "
            "Cruz,"
            "Villanueva,Quintanilla,Zamora,Orozco,Fuentes"
        ),
    ),
    "vietnamese": (
        _w("Duc,Minh,Thanh,Tuan,Quang,Hung,Dung,Binh,Khanh,Vinh,Bao,Hieu,Long,Phuc,Cuong"),
        _w("Huong,Lan,Linh,Hoa,Phuong,Thao,Trang,Nga,Anh,Mai,Thuy,Hanh,Ngoc,Tam,Diep"),
        _w("Nguyen,Tran,Le,Pham,Hoang,Huynh,Phan,Vu,Vo,Dang,Bui,Do,Ho,Ngo,Duong,Ly,Truong,Dinh"),
    ),
    "chinese": (
        _w("Wei,Qiang,Hao,Jun,Zhen,Xiaoming,Jian,Feng,Bo,Lei"),
        _w("Jing,Mei,Hui,Yan,Ling,Fang,Xin,Yu,Xiu,Lihua,Qing"),
        _w(
            "Wang,Li,Zhang,Liu,Chen,Yang,Huang,Zhao,Wu,Zhou,Xu,Sun,Ma,Zhu,Hu,Lin,Guo,He,Gao,Cheng,"
            "Chan,Wong,Lau,Leung"
        ),
    ),
    "korean": (
        _w("Ji-hoon,Min-jun,Hyun-woo,Jae-won,Young-ho,Sung-min,Dong-hyun,Sang-woo,Chul-soo"),
        _w("Seo-yeon,Eun-ji,Soo-jin,Kyung-hee,Hye-jin,Mi-sook,Ji-young,Yoon-hee,Min-ji"),
        _w(
            "Kim,Lee,Park,Choi,Jung,Kang,Cho,Yoon,Jang,Lim,Han,Shin,Seo,Kwon,Hwang,Ahn,Song,Oh,Baek"
        ),
    ),
    "indian": (
        _w(
            "Raj,Arjun,Sanjay,Venkat,Ramesh,Anil,Vikram,Suresh,Rohit,Gurpreet,Manoj,Aarav,Prakash,"
            "Rajesh,Harish,Vijay,Amit,Sunil"
        ),
        _w(
            "Priya,Ananya,Deepa,Lakshmi,Sunita,Kavita,Padma,Meena,Neha,Harpreet,Jaspreet,Shanti,"
            "Anjali,Pooja,Savitri,Kamala,Rekha,Geeta"
        ),
        _w(
            "Patel,Shah,Sharma,Singh,Kumar,Gupta,Reddy,Rao,Iyer,Nair,Menon,Desai,Mehta,Joshi,"
            "Chatterjee,"
            "Banerjee,Mukherjee,Pillai,Krishnan,Venkataraman,Agarwal,Malhotra,Kapoor,Bhatt,Sandhu,"
            "Gill,"
            "Dhillon"
        ),
    ),
    "west_african": (
        _w(
            "Chinedu,Oluwaseun,Adebayo,Emeka,Obinna,Babatunde,Kehinde,Taiwo,Nnamdi,Kwame,Kofi,"
            "Oluwadamilare,Chukwuemeka,Segun,Tunde,Ikechukwu,Yaw"
        ),
        _w(
            "Ngozi,Folasade,Chiamaka,Yetunde,Ifeoma,Funmilayo,Ama,Abena,Adaeze,Bukola,Nkechi,"
            "Titilayo,"
            "Efua,Akosua,Chidinma"
        ),
        _w(
            "Okafor,Adeyemi,Okonkwo,Eze,Nwosu,Obi,Oladipo,Balogun,Ogunleye,Chukwu,Nwachukwu,"
            "Afolabi,"
            "Onyekachi,Okeke,Uche,Bello,Mensah,Asante,Owusu,Boateng,Adebayo"
        ),
    ),
    "polish": (
        _w(
            "Krzysztof,Wojciech,Grzegorz,Tomasz,Zbigniew,Stanislaw,Henryk,Jerzy,Piotr,Tadeusz,"
            "Kazimierz,Marek,Andrzej"
        ),
        _w(
            "Agnieszka,Malgorzata,Katarzyna,Jadwiga,Bozena,Wieslawa,Danuta,Halina,Krystyna,"
            "Grazyna,Ewa,"
            "Zofia,Teresa"
        ),
        _w(
            "Kowalski,Nowak,Wisniewski,Wojcik,Kowalczyk,Kaminski,Lewandowski,Zielinski,Szymanski,"
            "Wozniak,Dabrowski,Kozlowski,Jankowski,Mazur,Krawczyk,Grabowski,Pawlak,Michalski,"
            "Zajac,Krol"
        ),
    ),
    "arabic": (
        _w(
            "Mohammed,Ahmed,Omar,Youssef,Khalid,Hassan,Mustafa,Samir,Tariq,Ibrahim,Walid,Bilal,"
            "Karim,"
            "Jamil,Nabil,Fadi"
        ),
        _w(
            "Fatima,Layla,Aisha,Nour,Rania,Zainab,Hanan,Amira,Samira,Leila,Yasmin,Mariam,Huda,Dalia"
        ),
        _w(
            "Haddad,Khoury,Mansour,Nasser,Saleh,Hamdan,Aziz,Rahman,Abboud,Darwish,Farah,Habib,"
            "Hussein,"
            "Karim,Mahmoud,Qureshi,Shalhoub,Yousef,Al-Masri,El-Amin"
        ),
    ),
    "greek": (
        _w(
            "Konstantinos,Dimitrios,Georgios,Panagiotis,Spyros,Nikolaos,Christos,Stavros,Yiannis,"
            "Vasilis,Theo,Kostas"
        ),
        _w("Eleni,Vasiliki,Athena,Sophia,Despina,Theodora,Katerina,Georgia,Panagiota,Chrysoula"),
        _w(
            "Papadopoulos,Georgiou,Nikolaidis,Konstantinou,Dimitriou,Pappas,Karras,Alexopoulos,"
            "Vlahos,"
            "Christodoulou,Stavropoulos,Makris,Angelopoulos,Demos,Kouris"
        ),
    ),
    "haitian": (
        _w("Jean-Baptiste,Jacques,Wilner,Pierre,Yves,Fritz,Jean-Claude,Reginald,Lesly"),
        _w("Marie-Claude,Fabienne,Ginette,Ketly,Rose-Marie,Guerline,Marie-Ange,Nadege,Mireille"),
        _w(
            "Pierre,Jean-Louis,Baptiste,Toussaint,Desir,Charles,Joseph,Dorvil,Fleurimond,Lafortune,"
            "Augustin,Celestin"
        ),
    ),
    "russian": (
        _w("Dmitri,Sergei,Igor,Vladimir,Boris,Alexei,Yuri,Mikhail"),
        _w("Olga,Svetlana,Natasha,Tatiana,Yelena,Irina,Galina,Lyudmila"),
        _w("Ivanov,Petrov,Smirnov,Volkov,Sokolov,Kuznetsov,Morozov,Orlov,Belov"),
    ),
    "italian": (
        _w("Giuseppe,Salvatore,Vincenzo,Rocco,Angelo,Carmine,Domenic,Sal,Nunzio"),
        _w("Carmela,Concetta,Antonella,Philomena,Gianna,Rosaria,Assunta,Nunzia"),
        _w(
            "Russo,Esposito,Romano,Colombo,Ricci,Marino,Greco,Bruno,Gallo,Conti,DeLuca,Mancini,"
            "Costa,"
            "Giordano,Rizzo,Lombardi,Moretti,Barbieri,Fontana,Santoro"
        ),
    ),
    "japanese": (
        _w("Hiroshi,Kenji,Takeshi,Haruto,Satoshi,Masao"),
        _w("Yuki,Akiko,Keiko,Emiko,Sachiko,Naomi"),
        _w("Tanaka,Suzuki,Takahashi,Watanabe,Yamamoto,Nakamura,Kobayashi,Sato,Ito"),
    ),
    "east_african": (
        _w("Abdi,Abebe,Tesfaye,Mohamud,Abdirahman,Dawit"),
        _w("Hodan,Mekdes,Ayaan,Hibo,Selam,Tigist"),
        _w("Warsame,Hassan,Tesfaye,Bekele,Haile,Gebre,Mohamud,Abdi"),
    ),
    "african_american": (
        _w("DeShawn,Tyrone,Jamal,Darnell,Marquis,DeAndre,Terrell,Cedric,Lamar,Dante"),
        _w("LaToya,Shaniqua,Keisha,Imani,Tanisha,Lakeisha,Ebony,Aaliyah,Jasmine,Latrice,Shantel"),
        _w(
            "Washington,Jefferson,Robinson,Jackson,Freeman,Mayfield,Battle,Gaines,Dorsey,Whitfield,"
            "Booker,Toliver,Peoples,Hairston"
        ),
    ),
    "filipino": (
        _w("Rodel,Jun,Arnel,Rogelio,Ferdinand"),
        _w("Maricel,Jocelyn,Marites,Rowena,Lorna,Analyn"),
        _w("Santos,Bautista,Aquino,dela Cruz,Macaraeg,Pangilinan,Villanueva,Manalo"),
    ),
    "jewish": (
        _w("Moshe,Avi,Irving,Sol,Morris,Sheldon,Saul,Mordechai"),
        _w("Miriam,Esther,Rivka,Shira,Golda,Bracha,Sadie"),
        _w(
            "Cohen,Levy,Goldberg,Rosenberg,Katz,Friedman,Shapiro,Weiss,Stein,Greenberg,Kaplan,"
            "Feldman"
        ),
    ),
}
ORIGIN_WEIGHTS = {
    "anglo": 8,
    "irish": 3,
    "hispanic": 5,
    "vietnamese": 2,
    "chinese": 2,
    "korean": 2,
    "indian": 2,
    "west_african": 2,
    "polish": 2,
    "arabic": 2,
    "greek": 2,
    "haitian": 1,
    "russian": 1,
    "italian": 2,
    "japanese": 1,
    "east_african": 1,
    "african_american": 3,
    "filipino": 1,
    "jewish": 1,
}

NICK = {
    "Robert": ["Bob", "Bobby", "Rob"],
    "William": ["Bill", "Billy", "Will"],
    "Margaret": ["Peggy", "Maggie", "Meg"],
    "Elizabeth": ["Liz", "Betty", "Beth"],
    "Katherine": ["Kate", "Kathy"],
    "Michael": ["Mike"],
    "James": ["Jim", "Jimmy"],
    "Richard": ["Rick", "Dick"],
    "Joseph": ["Joe", "Joey"],
    "Thomas": ["Tom", "Tommy"],
    "Charles": ["Chuck", "Charlie"],
    "Christopher": ["Chris"],
    "Krzysztof": ["Kris"],
    "Konstantinos": ["Gus", "Costa"],
    "Giuseppe": ["Joe", "Pepe"],
    "Guadalupe": ["Lupe"],
    "Jesus": ["Chuy"],
    "Alejandro": ["Alex"],
    "Oluwaseun": ["Seun"],
    "Babatunde": ["Tunde"],
    "Kristen": ["Krissy"],
    "Patricia": ["Pat", "Patty"],
    "Deborah": ["Debbie", "Deb"],
    "Jennifer": ["Jenny", "Jen"],
    "Sandra": ["Sandy"],
    "Dorothy": ["Dot", "Dottie"],
    "Francis": ["Frank"],
    "Mohammed": ["Mo"],
    "Dimitrios": ["Jimmy", "Jim"],
    "Theodora": ["Dora"],
    "Nikolaos": ["Nick"],
    "Vincenzo": ["Vinny"],
    "Salvatore": ["Sal"],
    "Kathleen": ["Kathy", "Kay"],
    "Patrick": ["Paddy", "Pat"],
    "Rebecca": ["Becky"],
    "Samantha": ["Sam"],
    "Christine": ["Chris", "Tina"],
    "Stanislaw": ["Stan"],
    "Malgorzata": ["Gosia"],
    "Katarzyna": ["Kasia"],
    "Tatiana": ["Tanya"],
    "Vladimir": ["Vova"],
    "Chukwuemeka": ["Emeka"],
    "Oluwadamilare": ["Dami"],
    "Raymond": ["Ray"],
    "Georgios": ["George"],
    "Panagiotis": ["Pete", "Peter"],
    "Yiannis": ["John"],
}

WORD_GIVEN = {
    "M": _w("Will,Bill,Mark,Hunter,Chase,Buck,Rusty,Cliff,Frank,Guy,Reed,Lane,Major,Dale,Glen"),
    "F": _w(
        "Hope,Rose,Faith,Joy,Grace,Sandy,Dawn,Summer,June,Page,May,Ruby,Pearl,Holly,"
        "Iris,Ivy,Dawn,Crystal,Penny,Charity,April"
    ),
}
WORD_SUR = _w(
    "Young,Strong,Wood,Hill,Brown,Black,Long,Little,Rich,May,Chase,White,Green,Gray,Stone,"
    "Fox,Bird,Lamb,Hope,Joy,Rose,Page,Hunter,Best,Day,Love,Noble,Wise,Swift,Short,Small"
)

ALL_GIVEN = sorted({n for m, f, _ in ORIGINS.values() for n in m + f})
ALL_SUR = sorted({n for _, _, s in ORIGINS.values() for n in s})


# ---------------------------------------------------------------------------
# Places and clinical vocabulary
# ---------------------------------------------------------------------------

TOWNS = _w(
    "Reading,Normal,Independence,Hope,Liberty,Union,Friendship,Paradise,Commerce,Enterprise,Bath,"
    "Dover,Chester,Marion,Salem,Victory,Concord,Harmony,Eden,Jasper,Florence,Troy,Milan,Athens,"
    "Lebanon,Canton,Hanover,Franklin,Clinton,Springfield,Greenville,Fairview,Riverside,Oxford,"
    "Ashland,Burlington,Manchester,Lowell,Worcester,Quincy,Braintree,Dedham,Methuen,Haverhill,Lynn,"
    "Revere,Chelsea,Malden,Medford,Waltham,Framingham,Natick,Needham,Peabody,Danvers,Beverly,"
    "Gloucester,Plymouth,Brockton,Taunton,Fall River,New Bedford,Attleboro,Leominster,Fitchburg,"
    "Gardner,Athol,Orange,Ware,Palmer,Westfield,Holyoke,Chicopee,Pittsfield,North Adams,Towson,"
    "Dundalk,Catonsville,Glen Burnie,Bel Air,Frederick,Hagerstown,Columbia,Bowie,Laurel,Essex,"
    "Middle River,Parkville,Rosedale,Kent,Plainfield,Fairfield,Mount Hope,Hazard,Boring,Accident,"
    "Ransom,Carefree,Opportunity,Loyal,Bliss,Defiance,Economy,Rising Sun,Good Hope,Centreville,"
    "Pleasantville,Goshen,Bethel,Canaan,Zion,Jericho,Sparta,Rome,Paris,Cairo,Lisbon,Poland,"
    "Denmark,Norway,Sweden,Mexico,Peru,China,Hershey,Wellington,Ironton,Marietta,Zanesville,"
    "Chillicothe,Elkton,Havre de Grace,Cumberland,Salisbury,Easton,Cambridge,Westminster,"
    "Sykesville,Pikesville,Owings Mills,Severna Park,Dunkirk,Prince Frederick,Waldorf,La Plata"
)
STATES = _w("MA,MD,NH,ME,VT,RI,CT,NY,PA,NJ,DE,VA,OH,IL,IN,MI,WI,KY,TN,NC,SC,GA,FL,TX,MO,IA")
STATE_NAMES = _w(
    "Massachusetts,Maryland,Pennsylvania,Ohio,Illinois,Virginia,Florida,Georgia,Texas,"
    "New Hampshire,Maine,Kentucky,Michigan,North Carolina"
)
STREET_BASE = _w(
    "Elm,Maple,Oak,Main,Pine,Cedar,Washington,Lincoln,Park,Lake,Hill,Church,High,School,Water,Mill,"
    "Spring,Ridge,Chestnut,Walnut,Broad,Market,Center,Union,Pleasant,Prospect,Summer,Winter,"
    "Harrison,"
    "Jefferson,Franklin,Belair,York,Liberty,Dogwood,Sycamore,Birch,Willow,Magnolia,Laurel,Hollins,"
    "Old Mill,Fox Run,Quarry,Orchard,Meadow,Bay,Harbor,Cherry Hill,Greenspring,Reisterstown,"
    "Frederick,Ritchie,Dorchester,Blue Hill,Centre,Salem,Canal,Brook,Forest,Sunset,Highland"
)
STREET_SUF = _w(
    "St,Street,Ave,Avenue,Rd,Road,Dr,Drive,Ln,Lane,Ct,Court,Blvd,Way,Terrace,Pl,Circle,Pike,Hwy"
)
COUNTIES = _w(
    "Essex,Baltimore,Harford,Worcester,Cook,Middlesex,Hampden,Berkshire,Franklin,Carroll,"
    "Howard,Anne Arundel,Calvert,Charles,Cecil,Allegany,Washington,Montgomery,Frederick,"
    "Plymouth,Bristol,Barnstable,Hampshire,Dorchester,Talbot,Kent,Queen Anne's,Somerset"
)
NATURE = _w(
    "Lakeview,Riverbend,Cedar Ridge,Oak Hill,Pine Grove,Meadowbrook,Brookside,Willow Creek,"
    "Sunrise,Harborview,Bayside,Hillcrest,Fair Oaks,Maple Leaf,Greenbriar,Stonegate,Highland,"
    "Autumn Woods,Evergreen,Shady Grove,Clearwater,Silver Lake,Northgate,Westwood,Crestview,"
    "Mountainview,Valley View,Seaside,Sandy Ridge,Spring Valley,Deer Run,Heritage Oaks,"
    "Golden Pond,Rolling Hills,Stony Brook"
)
SAINTS = _w(
    "Elsewhere,Agnes,Joseph,Mary,Vincent,Luke,Jude,Francis,Anne,Elizabeth,Catherine,"
    "Margaret,Michael,Raphael,Clare,Bernadette,Anthony,Barnabas,Cecilia,Dymphna,Brendan,"
    "Columba,Theresa,Ignatius"
)

FAC_PATTERNS = {
    "hospital": [
        "{town} General Hospital",
        "{town} Regional Medical Center",
        "{town} Memorial Hospital",
        "{sur} Memorial Hospital",
        "St. {saint}'s Hospital",
        "St. {saint} Medical Center",
        "Saint {saint} Regional Hospital",
        "{town} Community Hospital",
        "{nature} Medical Center",
        "{nature} Hospital",
        "University of {town} Medical Center",
        "{town} VA Medical Center",
        "{sur} Medical Center",
        "{town} Hospital Center",
        "{sur}-{sur2} Hospital",
        "{nature} Regional Hospital",
    ],
    "ltach": ["{nature} LTACH", "{sur} Specialty Hospital", "{town} Long Term Acute Care Hospital"],
    "snf": [
        "{town} Rehab & Nursing",
        "{sur} Rehabilitation Hospital",
        "{sur} Manor",
        "{nature} Manor",
        "{sur} House",
        "{nature} Nursing and Rehabilitation Center",
        "{town} Nursing Home",
        "{sur} Skilled Nursing Facility",
        "{sur} Senior Living",
        "{nature} Assisted Living",
        "{town} Veterans Home",
        "{nature} Rehabilitation Center",
        "The {sur} Home",
        "St. {saint} Villa",
        "{nature} Health Care Center",
        "{town} Center for Rehabilitation and Healing",
    ],
    "practice": [
        "{sur} & {sur2} Primary Care",
        "{town} Family Medicine",
        "{town} Family Practice",
        "{nature} Internal Medicine",
        "{sur} Family Health Center",
        "{town} Community Health Center",
        "{sur} Medical Associates",
        "{sur}-{sur2} Medical Group",
        "{sur} Clinic",
        "{town} Clinic",
        "{town} Urgent Care",
    ],
    "cardiology": [
        "{town} Cardiology Associates",
        "{sur} Cardiology Group",
        "{town} Heart Institute",
        "{nature} Cardiovascular Associates",
    ],
    "oncology": [
        "{nature} Oncology",
        "{sur} Cancer Center",
        "{town} Hematology-Oncology",
        "{sur} Cancer Institute",
    ],
    "specialty": [
        "{town} Orthopedic Associates",
        "{town} Pulmonary and Sleep",
        "{sur} Kidney Associates",
        "{sur} Eye Institute",
        "{town} Behavioral Health",
        "{sur} Psychiatric Institute",
    ],
    "lab": [
        "Tri-County Pathology of {town}",
        "{nature} Imaging",
        "{town} Diagnostic Lab",
        "{town} Surgical Center",
    ],
    "dialysis": ["{town} Dialysis Center", "{nature} Dialysis", "{sur} Kidney Center"],
    "homehealth": [
        "{sur} Home Health",
        "{nature} Home Care",
        "{town} Visiting Nurse Association",
        "{town} VNA",
    ],
    "hospice": ["{sur} Hospice House", "{nature} Hospice"],
    "pharmacy": ["{sur} Pharmacy", "{town} Apothecary", "{nature} Pharmacy", "{sur}'s Drug Store"],
    "aps": [
        "{county} County Adult Protective Services",
        "{county} County Department of Social Services",
        "{town} Elder Protective Services",
    ],
    "coa": ["{town} Council on Aging", "{town} Senior Center", "{county} County Office on Aging"],
}
PHARM_CHAINS = _w(
    "Walgreens,CVS,Rite Aid,Giant Eagle,Walmart,Costco,Kroger,Safeway,Stop & Shop,"
    "Wegmans,Publix,Shoppers"
)
FAC_KEY_CAT = {
    "osh": "hospital",
    "osh2": "hospital",
    "hosp": "hospital",
    "ltach": "ltach",
    "snf": "snf",
    "snf2": "snf",
    "snf3": "snf",
    "rehab": "snf",
    "practice": "practice",
    "spec": "oncology",
    "card": "cardiology",
    "other_spec": "specialty",
    "lab": "lab",
    "dial": "dialysis",
    "hh": "homehealth",
    "hospice": "hospice",
    "pharm": "pharmacy",
    "pharm2": "pharmacy",
    "aps": "aps",
    "coa": "coa",
}

# ---------------------------------------------------------------------------
# Clinical vocabulary (non-PHI)
# ---------------------------------------------------------------------------
DX = _w(
    "urosepsis,CHF exacerbation,COPD exacerbation,NSTEMI,community acquired PNA,aspiration PNA,"
    "DKA,upper GI bleed,SBO,acute on chronic hypoxic resp failure,hip fx,AKI,C diff colitis,"
    "alcohol withdrawal,hyponatremia,afib with RVR,cellulitis,pancreatitis,PE,altered mental "
    "status,"
    "SDH after mechanical fall,hyperkalemia,symptomatic bradycardia,COVID PNA,sepsis of unclear "
    "source"
)
PMH = _w(
    "HTN,HLD,DM2,CAD s/p CABG,CHF (EF 30%),COPD on 2L home O2,afib on apixaban,CKD stage 3,"
    "ESRD on HD,Parkinson's disease,Alzheimer's dementia,Crohn's disease,hx Hodgkin lymphoma,"
    "Graves disease,Hashimoto's thyroiditis,remote Guillain-Barre syndrome,Barrett's esophagus,"
    "prior Bell's palsy,Meniere's disease,Raynaud's,Sjogren's syndrome,OSA on CPAP,"
    "depression,BPH,osteoporosis,hypothyroidism,PVD,gout,ETOH abuse,CVA with residual L weakness,"
    "cirrhosis (Child-Pugh B),MGUS,s/p Whipple for pancreatic CA,Paget's disease of bone,"
    "WPW s/p ablation,Addison's disease"
)
PROCS = _w(
    "Whipple,CABG x3,Nissen fundoplication,Roux-en-Y gastric bypass,Hartmann's procedure,TAVR,"
    "ex-lap,ORIF R hip,Ivor Lewis esophagectomy,lap chole,L TKA,AAA repair,R hemicolectomy,"
    "mitral valve repair,VATS wedge resection"
)
COMPS = _w(
    "ileus,post-op delirium,AFib,wound infection,hypotension requiring pressors,"
    "respiratory failure,anastomotic leak,urinary retention"
)
SX = _w(
    "worsening SOB,productive cough,fevers and chills,dysuria,abd pain,melena,confusion,"
    "chest pressure,BLE swelling,N/V,generalized weakness,falls at home,decreased PO intake,"
    "hematemesis,dizziness"
)
JOBS = _w(
    "farmer,machinist,school teacher,nurse,truck driver,steelworker,postal worker,accountant,"
    "longshoreman,bus driver,seamstress,electrician,secretary,minister,engineer,homemaker,"
    "waitress,police officer,carpenter,pharmacist"
)
LANGS = _w(
    "Vietnamese,Polish,Spanish,Arabic,Korean,Haitian Creole,Greek,Cantonese,Mandarin,Russian,"
    "Portuguese,Somali,Amharic,Yoruba,Italian"
)
INSURERS = _w(
    "BCBS,Aetna,Cigna,United Healthcare,Humana,Tufts,Harvard Pilgrim,CareFirst,Medicaid,"
    "Kaiser,Priority Partners,Amerigroup,WellCare"
)
MEDS = [
    "Metoprolol succinate {n:25-100} mg PO daily",
    "Metoprolol tartrate 12.5 mg PO BID",
    "Lisinopril {n:5-40} mg PO daily",
    "Furosemide (Lasix) 40 mg PO BID",
    "Lasix 20 mg PO daily",
    "Atorvastatin 80 mg PO qHS",
    "Apixaban 5 mg PO BID",
    "Warfarin 2.5 mg PO daily (goal INR 2-3)",
    "Aspirin 81 mg PO daily",
    "Metformin 500 mg PO BID",
    "Insulin glargine {n:10-40} units SC qHS",
    "Levothyroxine 88 mcg PO daily",
    "Pantoprazole 40 mg PO daily",
    "Tamsulosin 0.4 mg PO qHS",
    "Carbidopa/levodopa 25/100 1 tab PO TID",
    "Donepezil 10 mg PO qHS",
    "Sertraline 50 mg PO daily",
    "Docusate 100 mg PO BID",
    "Senna 8.6 mg 2 tabs PO qHS PRN constipation",
    "Acetaminophen 650 mg PO q6h PRN pain",
    "Oxycodone 5 mg 1/2 tab PO q4h PRN severe pain",
    "Albuterol 2 puffs INH q4h PRN SOB/wheeze",
    "Tiotropium 18 mcg INH daily",
    "Prednisone 40 mg PO daily x 3 more days",
    "Cefpodoxime 200 mg PO BID x 5 days",
    "Potassium chloride 20 mEq PO daily",
    "Spironolactone 25 mg PO daily",
    "Gabapentin 300 mg PO TID",
    "Quetiapine 12.5 mg PO qHS PRN agitation",
    "Allopurinol 100 mg PO daily",
    "Amlodipine 5 mg PO daily",
    "Hydralazine 25 mg PO TID",
    "Isosorbide mononitrate 30 mg PO daily",
    "Ferrous sulfate 325 mg PO daily",
    "Vitamin D3 1000 units PO daily",
    "Calcium carbonate 500 mg PO BID",
    "Thiamine 100 mg PO daily",
    "Folic acid 1 mg PO daily",
    "Creon 24,000 units with meals",
    "Lactulose 30 mL PO TID, titrate to 3 BMs/day",
    "Rifaximin 550 mg PO BID",
    "Nystatin swish and swallow QID",
]
SERVICES = _w(
    "Medicine,Hospital Medicine,Cardiology,Surgery,Geriatrics,MICU,Oncology,Neurology,"
    "General Medicine (Firm B)"
)
VENT_BRANDS = _w("Medtronic,Boston Scientific,St. Jude,Biotronik,Abbott")

DOW = [
    ["Mon", "Monday"],
    ["Tue", "Tues", "Tuesday"],
    ["Wed", "Weds", "Wednesday"],
    ["Thu", "Thurs", "Thursday"],
    ["Fri", "Friday"],
    ["Sat", "Saturday"],
    ["Sun", "Sunday"],
]
MON_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MON_FULL = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
EMAIL_DOMAINS = _w(
    "gmail.com,yahoo.com,aol.com,comcast.net,hotmail.com,verizon.net,outlook.com,"
    "icloud.com,att.net,msn.com,earthlink.net,juno.com"
)


# Clinical words listed in the truth's `clinical_terms` when printed outside an identifier:
# drugs, problems, allergens, labs and devices, in the spellings the templates print. Matching
# is exact-case (plus lower / Capitalized / UPPER variants for words longer than three
# letters), longest first, on word boundaries. State codes that are also abbreviations (CT,
# PA, MD) are deliberately absent.
DRUG_TERMS = _w(
    "Metoprolol succinate,Metoprolol tartrate,metoprolol,Lisinopril,Furosemide,Lasix,Atorvastatin,"
    "Apixaban,Warfarin,Aspirin,Metformin,Insulin glargine,insulin,Levothyroxine,Pantoprazole,"
    "Tamsulosin,Carbidopa/levodopa,carbidopa/levodopa,sinemet,Donepezil,Sertraline,Docusate,"
    "colace,Senna,Acetaminophen,tylenol,Oxycodone,Albuterol,Tiotropium,Prednisone,Cefpodoxime,"
    "Potassium chloride,KCl,Spironolactone,Gabapentin,Quetiapine,Allopurinol,Amlodipine,"
    "Hydralazine,Isosorbide mononitrate,Ferrous sulfate,Vitamin D3,Calcium carbonate,Thiamine,"
    "Folic acid,Creon,Lactulose,Rifaximin,Nystatin,propofol,ativan,haldol,levophed,dilt gtt,"
    "diltiazem,heparin,vanc/zosyn,vancomycin,zofran,dulcolax,hydrocort,ceftriaxone,azithromycin,"
    "D50,Lovenox,PRBC,NS,LR,PPI,Jevity,abx"
)
PROBLEM_TERMS = _w(
    "urosepsis,CHF exacerbation,COPD exacerbation,NSTEMI,community acquired PNA,aspiration PNA,"
    "DKA,upper GI bleed,Upper GI bleed,SBO,acute on chronic hypoxic resp failure,hip fx,AKI,"
    "C diff colitis,C diff,alcohol withdrawal,hyponatremia,Hyponatremia,afib with RVR,"
    "Afib with RVR,cellulitis,pancreatitis,PE,altered mental status,SDH,mechanical fall,"
    "hyperkalemia,symptomatic bradycardia,COVID PNA,sepsis,HTN,HLD,DM2,CAD,CHF,COPD,afib,AFib,"
    "CKD stage 3,CKD,ESRD,Parkinson's disease,Alzheimer's dementia,Alzheimer's,Crohn's disease,"
    "Hodgkin lymphoma,Graves disease,Hashimoto's thyroiditis,Guillain-Barre syndrome,"
    "Barrett's esophagus,Bell's palsy,Meniere's disease,Raynaud's,Sjogren's syndrome,OSA,"
    "depression,BPH,osteoporosis,hypothyroidism,PVD,gout,ETOH abuse,CVA,cirrhosis,MGUS,"
    "pancreatic CA,Pancreatic CA,Paget's disease of bone,WPW,Addison's disease,ileus,"
    "post-op delirium,delirium,Delirium,wound infection,hypotension,respiratory failure,"
    "anastomotic leak,urinary retention,SOB,productive cough,fevers and chills,dysuria,abd pain,"
    "melena,confusion,chest pressure,BLE swelling,N/V,generalized weakness,decreased PO intake,"
    "hematemesis,dizziness,Acute on chronic systolic CHF,AKI on CKD,Mallory-Weiss tear,DM2,"
    "Fall / L hip fx,breast CA,colon CA,MI,Huntington's chorea,self-neglect,dementia,"
    "Parkinson's,adjustment to illness,nausea,edema,pneumonia"
)
ALLERGEN_TERMS = _w(
    "NKDA,PCN,sulfa,codeine,iodinated contrast,latex,adhesive tape,morphine,lisinopril"
)
LAB_TERMS = _w(
    "Na,K,Cl,HCO3,BUN,Cr,Glu,WBC,Hgb,Hct,Plt,Mg,Phos,INR,PTT,lactate,trop,ABG,BNP,TSH,A1c,H/H,"
    "FSBG,FS,vanc trough,UA,MRSA swab,CXR,EKG,TTE,EEG,EGD,CT head,CT A/P,sputum,"
    "Blood cultures,blood cultures,BC,Na,CIWA,Braden,RASS,GCS,CVP,SVR,echo,BMP"
)
DEVICE_TERMS = _w(
    "Foley,foley,PICC,Swan-Ganz,Dobhoff,OGT,ETT,Pleur-evac,BiPAP,CPAP,trach collar,trach,PEG,"
    "JP drain,aline,CVL,TLC,PIV,HD line,PPM,CRRT,mepilex,rolling walker,walker,cane,coude,"
    "NC,face tent,inner cannula,urinal,tunneled line,mitts,2L home O2,dentures"
)


def ordinal(n: int) -> str:
    """Return ``n`` with its English ordinal suffix (1st, 2nd, 14th)."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


# ---------------------------------------------------------------------------
# Note context: one per note, keeps people / places / dates consistent
# ---------------------------------------------------------------------------


@dataclass
class Person:
    """An invented person."""

    first: str
    last: str
    sex: str
    origin: str
    nick: str | None = None


@dataclass
class Cast:
    """A person in the note with the relation printed for them and their truth role."""

    rel: str
    person: Person
    role: str


REL_OTHER = [
    "sister",
    "brother",
    "niece",
    "nephew",
    "granddaughter",
    "grandson",
    "friend",
    "neighbor",
    "daughter-in-law",
    "son-in-law",
    "cousin",
]
REL_SEX = {
    "wife": "F",
    "husband": "M",
    "daughter": "F",
    "son": "M",
    "sister": "F",
    "brother": "M",
    "niece": "F",
    "nephew": "M",
    "granddaughter": "F",
    "grandson": "M",
    "daughter-in-law": "F",
    "son-in-law": "M",
    "mother": "F",
    "father": "M",
}
REL_LABELS = {
    "wife": ["wife", "wife", "wife", "spouse", "pt's wife"],
    "husband": ["husband", "husband", "hus", "spouse", "pt's husband"],
    "partner": ["partner", "pt's partner"],
    "daughter": ["dtr", "daughter", "daughter", "dau", "pt's daughter"],
    "son": ["son", "son", "pt's son"],
    "sister": ["sister", "sis"],
    "brother": ["brother", "bro"],
    "niece": ["niece"],
    "nephew": ["nephew"],
    "granddaughter": ["granddaughter", "GD"],
    "grandson": ["grandson", "GS"],
    "friend": ["friend", "close friend", "longtime friend"],
    "neighbor": ["neighbor"],
    "daughter-in-law": ["DIL", "daughter-in-law"],
    "son-in-law": ["SIL", "son-in-law"],
    "cousin": ["cousin"],
    "mother": ["mother", "mom"],
    "father": ["father", "dad"],
}
# Context keys of people who are not staff, with the relation they are printed with.
KIN_KEYS = {"sil": "son-in-law", "dil": "daughter-in-law", "neighbor": "neighbor"}
ROLE_SEX = {"sil": "M", "dil": "F"}
# Staff who are not clinicians: their names are PERSON with role "other".
NON_CLINICAL_KEYS = {"chap", "interp", "adm", "adm2", "aps", "atty"}

# Per note style: weights of (title, lower, upper) case for names, and date styles.
CASE_W = {
    "icu": (0.45, 0.35, 0.20),
    "phone": (0.65, 0.25, 0.10),
    "sw": (0.88, 0.06, 0.06),
    "ds": (0.96, 0.0, 0.04),
    "hp": (0.96, 0.0, 0.04),
}
DATE_STYLES = {
    "icu": ["md", "md", "md", "mmdd", "dmon", "dmon", "monthd", "mdyy"],
    "phone": ["md", "md", "mdyy", "mdyyyy", "monthd", "dmon"],
    "sw": ["md", "mdyy", "mdyyyy", "mmddyyyy", "monthd", "monthdy", "md"],
    "ds": ["mdyyyy", "mmddyyyy", "monthdy", "iso", "md", "ddmonyyyy", "mdyy"],
    "hp": ["mdyyyy", "mmddyyyy", "monthdy", "md", "mdyy"],
}


class NoteContext:
    """Random choices shared by one note: the patient, family, staff, places and dates."""

    def __init__(self, rng: random.Random, style: str) -> None:
        self.rng = rng
        self.style = style
        r = rng
        self.origin = self.pick_origin()
        self.sex = r.choice("MF")
        self.pt = self.new_person(self.sex, self.origin)
        if r.random() < 0.27:
            self.age = r.randint(90, 104)
        else:
            self.age = r.choice([r.randint(45, 89), r.randint(60, 89), r.randint(70, 89)])
        self.adm = dt.date(r.randint(2012, 2024), 1, 1) + dt.timedelta(days=r.randint(0, 364))
        self.los = r.randint(2, 16)
        self.today_off = r.randint(0, max(0, self.los - 1))
        self.people: dict[str, Cast] = {}
        self.facs: dict[str, str] = {}
        self.towns: dict[str, str] = {}
        self.units: dict[str, str] = {}
        self.misc: dict[str, Any] = {}
        self._setup_family()
        self.dob = self._birth_date()

    # --- people -----------------------------------------------------------
    def pick_origin(self) -> str:
        ks = list(ORIGIN_WEIGHTS)
        return self.rng.choices(ks, [ORIGIN_WEIGHTS[k] for k in ks])[0]

    def new_person(
        self, sex: str | None = None, origin: str | None = None, last: str | None = None
    ) -> Person:
        r = self.rng
        sex = sex or r.choice("MF")
        origin = origin or self.pick_origin()
        m, f, s = ORIGINS[origin]
        first = r.choice(m if sex == "M" else f)
        if r.random() < 0.08:  # mixed origin (marriage, adoption ...)
            first = r.choice(ORIGINS[self.pick_origin()][0 if sex == "M" else 1])
        if r.random() < 0.12:  # names that are ordinary English words
            first = r.choice(WORD_GIVEN[sex])
        if last is None:
            x = r.random()
            last = r.choice(WORD_SUR) if x < 0.1 else r.choice(ALL_SUR) if x < 0.2 else r.choice(s)
        nick = r.choice(NICK[first]) if first in NICK and r.random() < 0.5 else None
        return Person(first, last, sex, origin, nick)

    def _setup_family(self) -> None:
        r = self.rng
        pt = self.pt
        sp_sex = "F" if pt.sex == "M" else "M"
        if r.random() < 0.05:
            sp_sex = pt.sex
            rel = "partner"
        else:
            rel = "wife" if sp_sex == "F" else "husband"
        same_last = r.random() < 0.8 and rel != "partner"
        spouse = self.new_person(sp_sex, self.origin, pt.last if same_last else None)
        self.people["spouse"] = Cast(rel, spouse, "relative")
        kids = [r.choice(["daughter", "son"]), r.choice(["daughter", "son"])]
        for slot, rel in zip(["kid", "kid2"], kids, strict=True):
            keep = rel == "son" or (rel == "daughter" and r.random() < 0.4)
            p = self._new_relative(REL_SEX[rel], self.origin, pt.last if keep else None)
            self.people[slot] = Cast(rel, p, "relative")
        rel = r.choice(REL_OTHER)
        orig = self.origin if rel not in ("friend", "neighbor") else None
        other = self._new_relative(REL_SEX.get(rel), orig, None)
        self.people["other"] = Cast(
            rel, other, "other" if rel in ("friend", "neighbor") else "relative"
        )

    def _new_relative(self, sex: str | None, origin: str | None, last: str | None) -> Person:
        # First names are not shared within the family, so a first name names one person.
        taken = {self.pt.first} | {c.person.first for c in self.people.values()}
        p = self.new_person(sex, origin, last)
        for _ in range(20):
            if p.first not in taken and (p.nick is None or p.nick not in taken):
                break
            p = self.new_person(sex, origin, last)
        return p

    def _birth_date(self) -> dt.date:
        # The age printed is the age on the document date.
        doc = self.day("doc")
        y = doc.year - self.age
        bd = dt.date(y, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
        if (bd.month, bd.day) > (doc.month, doc.day):
            bd = dt.date(y - 1, bd.month, min(bd.day, 28))
        return bd

    def person(self, key: str) -> Cast:
        if key == "pt":
            return Cast("patient", self.pt, "patient")
        if key not in self.people:
            if key in KIN_KEYS:
                rel = KIN_KEYS[key]
                role = "other" if rel == "neighbor" else "relative"
                self.people[key] = Cast(rel, self.new_person(ROLE_SEX.get(key)), role)
            else:
                base = key.rstrip("0123456789")
                role = (
                    "other" if base in NON_CLINICAL_KEYS or key.startswith("rand") else "provider"
                )
                self.people[key] = Cast("staff", self.new_person(ROLE_SEX.get(key)), role)
        return self.people[key]

    def case(self) -> str:
        w = CASE_W[self.style]
        return self.rng.choices(["title", "lower", "upper"], w)[0]

    def styled(self, s: str, mode: str | None = None) -> str:
        mode = mode or self.case()
        return s.lower() if mode == "lower" else s.upper() if mode == "upper" else s

    # --- places -----------------------------------------------------------
    def town(self, key: str = "home") -> str:
        if key == "rand":
            return self.rng.choice(TOWNS)
        if key not in self.towns:
            used = set(self.towns.values())
            t = self.rng.choice(TOWNS)
            while t in used:
                t = self.rng.choice(TOWNS)
            self.towns[key] = t
        return self.towns[key]

    def state(self, key: str = "home") -> str:
        k = "st_" + key
        if k not in self.misc:
            self.misc[k] = self.rng.choice(STATES)
        return str(self.misc[k])

    def county(self) -> str:
        if "county" not in self.misc:
            self.misc["county"] = self.rng.choice(COUNTIES)
        return str(self.misc["county"])

    def fac(self, key: str) -> str:
        if key not in self.facs:
            cat = FAC_KEY_CAT.get(key, "hospital")
            r = self.rng
            if cat == "pharmacy" and r.random() < 0.6:
                name = r.choice(PHARM_CHAINS)
            else:
                pat = r.choice(FAC_PATTERNS[cat])
                s1 = r.choice(ALL_SUR)
                s2 = r.choice(ALL_SUR)
                while s2 == s1:
                    s2 = r.choice(ALL_SUR)
                name = pat.format(
                    town=r.choice(TOWNS),
                    sur=s1,
                    sur2=s2,
                    saint=r.choice(SAINTS),
                    nature=r.choice(NATURE),
                    county=self.county(),
                )
            self.facs[key] = name
        return self.facs[key]

    def unit(self, key: str = "u") -> str:
        if key not in self.units:
            r = self.rng
            sur = r.choice(ALL_SUR)
            pat = r.choice(
                [
                    "{s} {n}",
                    "{s} {n}",
                    "{s} {n} North",
                    "{s} {n}{w}",
                    "{s} ICU",
                    "{s} Pavilion",
                    "{t} Wing",
                    "{s} CCU",
                    "{s} {n} ICU",
                ]
            )
            self.units[key] = pat.format(
                s=sur, n=r.randint(2, 14), w=r.choice("ABEW"), t=r.choice(TOWNS)
            )
        return self.units[key]

    # --- dates ------------------------------------------------------------
    def day(self, key: str | None) -> dt.date:
        r = self.rng
        adm = self.adm
        today = adm + dt.timedelta(days=self.today_off)
        dc = adm + dt.timedelta(days=self.los)
        if key in (None, "", "today"):
            return today
        if key == "doc":
            return {"ds": dc, "hp": adm}.get(self.style, today)
        if key == "adm":
            return adm
        if key == "dc":
            return dc
        if key == "yest":
            return today - dt.timedelta(days=1)
        if key == "tom":
            return today + dt.timedelta(days=1)
        if key == "dob":
            return self.dob
        assert key is not None
        if key.startswith("fu"):
            if key not in self.misc:
                self.misc[key] = dc + dt.timedelta(days=r.randint(4, 30))
            return dt.date.fromordinal(self.misc[key].toordinal())
        if key == "prior":
            return adm - dt.timedelta(days=r.randint(5, 90))
        if key == "old":
            return adm - dt.timedelta(days=r.randint(120, 1500))
        if key == "near":
            return today + dt.timedelta(days=r.randint(-4, 4))
        if key[0] in "+-":
            return today + dt.timedelta(days=int(key))
        raise KeyError(key)


# ---------------------------------------------------------------------------
# Generators: each returns plain text or a list of segments
# ---------------------------------------------------------------------------
Gen = Callable[[NoteContext, str | None], GenResult]


def _arg(arg: str | None, default: str) -> str:
    return arg if arg else default


def fmt_date(ctx: NoteContext, d: dt.date, style: str) -> str:
    """Format a date in one of the styles notes are written in."""
    r = ctx.rng
    m, dd, y = d.month, d.day, d.year
    if style == "md":
        return f"{m}/{dd}"
    if style == "mmdd":
        return f"{m:02d}/{dd:02d}"
    if style == "mdyy":
        return f"{m}/{dd}/{y % 100:02d}"
    if style == "mdyyyy":
        return f"{m}/{dd}/{y}"
    if style == "mmddyyyy":
        return f"{m:02d}/{dd:02d}/{y}"
    if style == "iso":
        return d.isoformat()
    if style == "dmon":
        mon = MON_ABBR[m - 1]
        return r.choice([f"{dd} {mon.lower()}", f"{dd} {mon}", f"{dd}-{mon}", f"{dd}{mon.upper()}"])
    if style == "monthd":
        ab = MON_ABBR[m - 1] + ("" if m == 5 else ".")
        return r.choice(
            [
                f"{MON_ABBR[m - 1]} {dd}",
                f"{ab} {dd}",
                f"{MON_FULL[m - 1]} {dd}",
                f"{MON_FULL[m - 1]} {ordinal(dd)}",
            ]
        )
    if style == "monthdy":
        return r.choice(
            [
                f"{MON_FULL[m - 1]} {dd}, {y}",
                f"{MON_ABBR[m - 1]} {dd}, {y}",
                f"{MON_FULL[m - 1]} {ordinal(dd)}, {y}",
            ]
        )
    if style == "ddmonyyyy":
        return f"{dd:02d}-{MON_ABBR[m - 1]}-{y}"
    raise KeyError(style)


def g_date(ctx: NoteContext, arg: str | None) -> GenResult:
    d = ctx.day(arg)
    return [_phi(fmt_date(ctx, d, ctx.rng.choice(DATE_STYLES[ctx.style])), DATE)]


def g_datel(ctx: NoteContext, arg: str | None) -> GenResult:
    """Long / formal date; mostly one style per note."""
    d = ctx.day(arg)
    if "datel_style" not in ctx.misc:
        ctx.misc["datel_style"] = ctx.rng.choice(
            ["mdyyyy", "mmddyyyy", "monthdy", "mdyy", "iso", "ddmonyyyy"]
        )
    st = str(ctx.misc["datel_style"])
    if ctx.rng.random() < 0.15:
        st = ctx.rng.choice(["mdyyyy", "mmddyyyy", "monthdy", "mdyy"])
    return [_phi(fmt_date(ctx, d, st), DATE)]


def g_dates(ctx: NoteContext, arg: str | None) -> GenResult:
    """Short note-style date."""
    d = ctx.day(arg)
    return [_phi(fmt_date(ctx, d, ctx.rng.choice(["md", "md", "mmdd", "dmon", "monthd"])), DATE)]


def g_dowdate(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    d = ctx.day(arg)
    dow = r.choice(DOW[d.weekday()])
    if r.random() < 0.4:
        dow = dow.lower() if r.random() < 0.6 else dow.upper()
    sep = r.choice([" ", " ", ", "])
    ds = r.choice(
        [
            f"{d.month}/{d.day}",
            f"{d.month}/{d.day}",
            f"{d.month}/{d.day}/{d.year % 100:02d}",
            f"{MON_ABBR[d.month - 1]} {d.day}",
        ]
    )
    return [_phi(dow + sep + ds, DATE)]


def g_nth(ctx: NoteContext, arg: str | None) -> GenResult:
    d = ctx.day(arg)
    return [_txt("the "), _phi(ordinal(d.day), DATE)]


def g_monyr(ctx: NoteContext, arg: str | None) -> GenResult:
    d = ctx.day(_arg(arg, "old"))
    s = ctx.rng.choice(
        [
            f"{MON_FULL[d.month - 1]} {d.year}",
            f"{MON_ABBR[d.month - 1]} {d.year}",
            f"{d.month}/{d.year}",
        ]
    )
    return [_phi(s, DATE)]


def g_yr(ctx: NoteContext, arg: str | None) -> GenResult:
    lo, hi = (int(x) for x in _arg(arg, "2-20").split("-"))
    return str(ctx.adm.year - ctx.rng.randint(lo, hi))


def g_time(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    h = r.randint(0, 23)
    mi = r.choice([0, 0, 0, 15, 30, 45, 10, 20, 50, 5])
    h12 = h % 12 or 12
    ap = "am" if h < 12 else "pm"
    ampm = f"{h12}{ap}" if mi == 0 else f"{h12}:{mi:02d}{ap}"
    return r.choice(
        [
            f"{h:02d}{mi:02d}",
            f"{h:02d}{mi:02d}",
            f"{h:02d}:{mi:02d}",
            ampm,
            f"{h12}:{mi:02d} {ap.upper()}",
        ]
    )


def g_clock(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    h = r.choice([8, 9, 10, 11, 13, 14, 15, 16])
    return f"{h % 12 or 12}:{r.choice(['00', '15', '30', '45'])} {'AM' if h < 12 else 'PM'}"


def g_n(ctx: NoteContext, arg: str | None) -> GenResult:
    lo, hi = (int(x) for x in _arg(arg, "1-9").split("-"))
    return str(ctx.rng.randint(lo, hi))


def g_f(ctx: NoteContext, arg: str | None) -> GenResult:
    lo, hi = (float(x) for x in _arg(arg, "1~9").split("~"))
    return f"{ctx.rng.uniform(lo, hi):.1f}"


def g_pick(ctx: NoteContext, arg: str | None) -> GenResult:
    return ctx.rng.choice(_arg(arg, "").split("|"))


def _choice_gen(name: str, values: Sequence[str]) -> Gen:
    """Pick from ``values``, avoiding a value the note already printed while others are left."""

    def gen(ctx: NoteContext, arg: str | None) -> GenResult:
        used: set[str] = ctx.misc.setdefault("used_" + name, set())
        fresh = [v for v in values if v not in used] or list(values)
        v = ctx.rng.choice(fresh)
        used.add(v)
        return v

    return gen


def _sexed(male: str, female: str) -> Gen:
    def gen(ctx: NoteContext, arg: str | None) -> GenResult:
        return male if ctx.sex == "M" else female

    return gen


def g_dx(ctx: NoteContext, arg: str | None) -> GenResult:
    """The note's admitting diagnosis: the same one wherever the note names it."""
    if "dx" not in ctx.misc:
        ctx.misc["dx"] = ctx.rng.choice(DX)
    return str(ctx.misc["dx"])


def g_med(ctx: NoteContext, arg: str | None) -> GenResult:
    return render(ctx, ctx.rng.choice(MEDS))


def g_medlist(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    meds = r.sample(MEDS, r.randint(5, 11))
    style = r.choice(["num", "dash", "plain"])
    out: list[Seg] = []
    for i, m in enumerate(meds, 1):
        pre = f"{i}. " if style == "num" else "- " if style == "dash" else ""
        out.extend(render(ctx, pre + m + "\n"))
    return out


def g_labs(ctx: NoteContext, arg: str | None) -> GenResult:
    return render(ctx, str(GENERATORS["panel"](ctx, None)))


def g_vitals(ctx: NoteContext, arg: str | None) -> GenResult:
    return render(ctx, ctx.rng.choice(VITALS))


LAB_PANELS = [
    "Na {n:128-145} K {f:3.1~5.4} Cl {n:95-110} HCO3 {n:18-30} BUN {n:8-60} Cr {f:0.6~3.5} "
    "Glu {n:80-320}",
    "WBC {f:3.5~19.9} Hgb {f:7.0~14.5} Hct {n:22-44} Plt {n:60-450}",
    "Na {n:128-145}, K {f:3.1~5.4}, Cr {f:0.6~3.5}, Mg {f:1.4~2.4}, Phos {f:2.0~4.9}",
    "INR {f:1.0~3.4}, PTT {n:25-80}, lactate {f:0.8~6.0}, trop {pick:<0.01|0.04|0.12|0.87|2.3}",
    "ABG 7.{n:21-45}/{n:30-70}/{n:55-140}",
    "BNP {n:90-4200}, TSH {f:0.3~7.9}, A1c {f:5.4~11.2}%",
]
VITALS = [
    "T {f:36.1~38.9} HR {n:55-125} BP {n:90-170}/{n:45-95} RR {n:12-28} SpO2 {n:88-100}% on "
    "{pick:RA|2L NC|4L NC|50% FM|NRB}",
    "VS: Tmax {f:98.0~102.1} HR {n:60-120} BP {n:95-165}/{n:50-90} RR {n:14-26} O2 sat "
    "{n:90-99}% {pick:RA|2L|3L NC}",
    "BP {n:100-160}/{n:55-90}, P {n:60-110}, R {n:14-22}, T {f:97.6~100.4}, sat {n:91-99}%, "
    "wt {n:48-130} kg",
]


# --- people generators -----------------------------------------------------
def _first(ctx: NoteContext, p: Person, allow_nick: bool = True) -> str:
    if allow_nick and p.nick and ctx.rng.random() < 0.35:
        return p.nick
    return p.first


def g_fam(ctx: NoteContext, slot: str | None) -> GenResult:
    """Relation label and name: 'dtr KRISSY', 'wife sarah', 'son Duc Nguyen', 'Maria (dtr)'."""
    r = ctx.rng
    c = ctx.person(_arg(slot, "kid"))
    p = c.person
    label = r.choice(REL_LABELS[c.rel])
    x = r.random()
    if x < 0.65:
        name = _first(ctx, p)
    elif x < 0.9:
        name = f"{_first(ctx, p)} {p.last}"
    else:
        name = f"{p.first[0]}. {p.last}" if r.random() < 0.5 else _first(ctx, p)
    name = ctx.styled(name)
    form = r.random()
    if form < 0.75:
        return [_txt(label + " "), _phi(name, PERSON, c.role)]
    if form < 0.9:
        return [_phi(name, PERSON, c.role), _txt(f" ({label})")]
    return [_txt(label + ", "), _phi(name, PERSON, c.role), _txt(",")]


def g_famn(ctx: NoteContext, slot: str | None) -> GenResult:
    c = ctx.person(_arg(slot, "kid"))
    return [_phi(ctx.styled(_first(ctx, c.person)), PERSON, c.role)]


def g_famfull(ctx: NoteContext, slot: str | None) -> GenResult:
    c = ctx.person(_arg(slot, "kid"))
    return [_phi(ctx.styled(f"{c.person.first} {c.person.last}"), PERSON, c.role)]


def g_famlabel(ctx: NoteContext, slot: str | None) -> GenResult:
    return ctx.rng.choice(REL_LABELS[ctx.person(_arg(slot, "kid")).rel])


def g_famrel(ctx: NoteContext, slot: str | None) -> GenResult:
    return ctx.person(_arg(slot, "kid")).rel


def g_kpro(ctx: NoteContext, slot: str | None) -> GenResult:
    return "she" if ctx.person(_arg(slot, "kid")).person.sex == "F" else "he"


def g_kposs(ctx: NoteContext, slot: str | None) -> GenResult:
    return "her" if ctx.person(_arg(slot, "kid")).person.sex == "F" else "his"


def g_elderly(ctx: NoteContext, arg: str | None) -> GenResult:
    if ctx.age >= 72:
        return "elderly"
    return ctx.rng.choice(["middle-aged", "well-developed", "obese"])


def g_retired(ctx: NoteContext, arg: str | None) -> GenResult:
    if ctx.age >= 66:
        return "retired"
    return ctx.rng.choice(["works as a", "employed as a", "former"])


def _random_key(ctx: NoteContext, role: str | None) -> str:
    return role or f"rand{ctx.rng.randint(0, 10**6)}"


def g_fullname(ctx: NoteContext, role: str | None) -> GenResult:
    c = ctx.person(_random_key(ctx, role))
    return [_phi(ctx.styled(f"{c.person.first} {c.person.last}"), PERSON, c.role)]


def g_firstname(ctx: NoteContext, role: str | None) -> GenResult:
    c = ctx.person(_random_key(ctx, role))
    return [_phi(ctx.styled(_first(ctx, c.person)), PERSON, c.role)]


def g_pt(ctx: NoteContext, form: str | None) -> GenResult:
    """Patient reference. form: ref/refm (prose), lf (header), full, short (telegraphic)."""
    r = ctx.rng
    p = ctx.pt
    mr = "Mr." if p.sex == "M" else r.choice(["Ms.", "Mrs.", "Ms."])
    if form == "lf":
        s = r.choice(
            [
                f"{p.last}, {p.first}",
                f"{p.last.upper()}, {p.first.upper()}",
                f"{p.first} {p.last}",
                f"{p.last.upper()}, {p.first}",
            ]
        )
        return [_phi(s, PERSON, "patient")]
    if form == "full":
        return [_phi(ctx.styled(f"{p.first} {p.last}"), PERSON, "patient")]
    if form == "short":
        x = r.random()
        if x < 0.5:
            return "Pt"
        if x < 0.8:
            return [_txt(mr + " "), _phi(ctx.styled(p.last), PERSON, "patient")]
        return [_phi(ctx.styled(_first(ctx, p)), PERSON, "patient")]
    x = r.random()
    if x < 0.55:
        return [_txt(mr + " "), _phi(p.last, PERSON, "patient")]
    if x < 0.75:
        return [_phi(f"{p.first} {p.last}", PERSON, "patient")]
    if x < 0.9:
        return "the patient" if form == "refm" else "The patient"
    return "pt" if form == "refm" else "Pt"


def g_ptfirst(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_phi(ctx.styled(_first(ctx, ctx.pt)), PERSON, "patient")]


def g_ptlast(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_phi(ctx.pt.last, PERSON, "patient")]


def g_dr(ctx: NoteContext, role: str | None) -> GenResult:
    """Physician: Dr. Okafor / dr. cronin / Dr C / Dr. Ngozi Okafor / N. Okafor, MD."""
    r = ctx.rng
    c = ctx.person(_arg(role, "att"))
    p = c.person
    informal = ctx.style in ("icu", "phone")
    opts = [
        ("Dr. ", p.last, ""),
        ("Dr ", p.last, ""),
        ("Dr. ", f"{p.first} {p.last}", ""),
        ("", f"{p.first} {p.last}", ", MD"),
        ("", f"{p.first[0]}. {p.last}", ", MD"),
    ]
    if informal:
        opts += [
            ("dr. ", p.last.lower(), ""),
            ("Dr ", p.last[0], ""),
            ("dr ", p.last, ""),
            ("Dr. ", p.last, ""),
            ("DR ", p.last.upper(), ""),
            ("Dr. ", p.last[0], ""),
        ]
    pre, name, suf = r.choice(opts)
    return _framed(pre, _phi(name, PERSON, c.role), suf)


def g_drl(ctx: NoteContext, role: str | None) -> GenResult:
    c = ctx.person(_arg(role, "att"))
    return [_txt("Dr. "), _phi(c.person.last, PERSON, c.role)]


def g_drfull(ctx: NoteContext, role: str | None) -> GenResult:
    r = ctx.rng
    c = ctx.person(_arg(role, "att"))
    p = c.person
    x = r.random()
    if x < 0.5:
        cred = r.choice([", MD", " MD", ", DO", ""])
        return [_phi(f"{p.first} {p.last}", PERSON, c.role)] + ([_txt(cred)] if cred else [])
    if x < 0.8:
        return [_txt("Dr. "), _phi(f"{p.first} {p.last}", PERSON, c.role)]
    return [_phi(f"{p.first[0]}. {p.last}", PERSON, c.role), _txt(", MD")]


def g_drinit(ctx: NoteContext, role: str | None) -> GenResult:
    c = ctx.person(_arg(role, "att"))
    return [_phi(c.person.last[0], PERSON, c.role)]


STAFF_CRED = {
    "sw": "SW",
    "dialsw": "SW",
    "cm": "CM",
    "chap": "",
    "pt_ther": "PT",
    "rt": "RT",
    "interp": "",
    "adm": "",
    "np": "NP",
    "pharm": "PharmD",
}


def g_staff(ctx: NoteContext, role: str | None) -> GenResult:
    """Non-physician staff: 'Maria RN', 's. roberto', 'RT Kevin', 'Joy Hill, RN'."""
    r = ctx.rng
    key = _arg(role, "rn")
    c = ctx.person(key)
    p = c.person
    first = _first(ctx, p)
    cred = STAFF_CRED.get(key.rstrip("0123456789"), "RN")
    opts = [
        (ctx.styled(first), f" {cred}" if cred else "", ""),
        (ctx.styled(f"{first} {p.last}"), f", {cred}" if cred else "", ""),
        (ctx.styled(f"{p.first[0]}. {p.last}"), f" {cred}" if cred else "", ""),
        (ctx.styled(first), "", f"{cred} " if cred else ""),
    ]
    name, suf, pre = r.choice(opts)
    return _framed(pre, _phi(name, PERSON, c.role), suf)


def g_sig(ctx: NoteContext, role: str | None) -> GenResult:
    r = ctx.rng
    key = _arg(role, "rn")
    c = ctx.person(key)
    p = c.person
    cred = {
        "sw": r.choice(["LICSW", "MSW, LCSW-C", "LCSW", "MSW"]),
        "cm": r.choice(["RN, CM", "RN BSN CCM"]),
        "rn": r.choice(["RN", "RN BSN", "RN, CCRN"]),
        "np": "NP",
    }.get(key, "RN")
    x = r.random()
    if x < 0.3:
        return [_txt("-- "), _phi(f"{p.first} {p.last}", PERSON, c.role), _txt(f", {cred}")]
    if x < 0.55:
        return [
            _txt("- "),
            _phi(ctx.styled(f"{p.first} {p.last[0]}"), PERSON, c.role),
            _txt(f" {cred}"),
        ]
    if x < 0.75:
        return [_phi(f"{p.first[0]}. {p.last}", PERSON, c.role), _txt(f" {cred}")]
    if x < 0.9:
        ext = g_phonex(ctx, None)
        assert isinstance(ext, list)
        return [_phi(f"{p.first} {p.last}", PERSON, c.role), _txt(f", {cred} ")] + ext
    return [_phi(ctx.styled(p.first), PERSON, c.role), _txt(f" {cred}")]


# --- places -------------------------------------------------------------------
def _fac_short(name: str) -> str:
    return re.sub(
        r"\s+(Regional Medical Center|Medical Center|General Hospital|Memorial Hospital|"
        r"Community Hospital|Regional Hospital|Hospital Center|Hospital)$",
        "",
        name,
    )


def _acronym(name: str) -> str:
    words = [
        w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in ("of", "the", "&", "and")
    ]
    return "".join(w[0].upper() for w in words if w[0].isalpha())


def g_fac(ctx: NoteContext, key: str | None) -> GenResult:
    return [_phi(ctx.fac(_arg(key, "hosp")), FACILITY)]


def g_facab(ctx: NoteContext, key: str | None) -> GenResult:
    return [_phi(_acronym(ctx.fac(_arg(key, "hosp"))), FACILITY)]


def g_osh(ctx: NoteContext, key: str | None) -> GenResult:
    """Outside hospital reference, in many styles."""
    r = ctx.rng
    name = ctx.fac(_arg(key, "osh"))
    x = r.random()
    if x < 0.25:
        return [_txt("OSH ("), _phi(_fac_short(name), FACILITY), _txt(")")]
    if x < 0.5:
        return [_phi(name, FACILITY)]
    if x < 0.7:
        return [_phi(_acronym(name), FACILITY)]
    if x < 0.85:
        return [_phi(_fac_short(name), FACILITY)]
    if x < 0.93:
        return [_phi(name, FACILITY), _txt(" ("), _phi(_acronym(name), FACILITY), _txt(")")]
    return "OSH"


def g_unit(ctx: NoteContext, key: str | None) -> GenResult:
    return [_phi(ctx.unit(_arg(key, "u")), FACILITY)]


def g_pharm(ctx: NoteContext, key: str | None) -> GenResult:
    r = ctx.rng
    name = ctx.fac("pharm")
    x = r.random()
    if x < 0.45:
        st = f"{r.choice(STREET_BASE)} {r.choice(['St', 'Ave', 'Rd', 'Street'])}"
        return [_phi(name, FACILITY), _txt(" on "), _phi(st, STREET)]
    if x < 0.7:
        return [_phi(name, FACILITY), _txt(" in "), _phi(ctx.town("pharm"), CITY)]
    return [_phi(name, FACILITY)]


def g_town(ctx: NoteContext, key: str | None) -> GenResult:
    return [_phi(ctx.town(_arg(key, "home")), CITY)]


def g_state(ctx: NoteContext, key: str | None) -> GenResult:
    return ctx.state(_arg(key, "home"))


def g_townst(ctx: NoteContext, key: str | None) -> GenResult:
    k = _arg(key, "home")
    return [_phi(ctx.town(k), CITY), _txt(", " + ctx.state(k))]


def g_county(ctx: NoteContext, key: str | None) -> GenResult:
    c = ctx.county()
    return [_phi(c + " County", CITY)] if ctx.rng.random() < 0.8 else [_phi(c + " Co.", CITY)]


def street(ctx: NoteContext) -> str:
    """Return an invented street line, sometimes with an apartment or unit."""
    r = ctx.rng
    s = f"{r.randint(2, 9899)} {r.choice(STREET_BASE)} {r.choice(STREET_SUF)}"
    if r.random() < 0.25:
        s += r.choice(
            [
                f" Apt {r.randint(1, 40)}{r.choice('ABCD')}",
                f", Apt {r.randint(101, 640)}",
                f" #{r.randint(1, 30)}",
                f" Unit {r.randint(1, 12)}",
            ]
        )
    return s


def g_street(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_phi(street(ctx), STREET)]


def g_zip(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    z = f"{r.randint(1000, 99950):05d}"
    if r.random() < 0.15:
        z += f"-{r.randint(0, 9999):04d}"
    return [_phi(z, ZIP)]


def g_addr(ctx: NoteContext, key: str | None) -> GenResult:
    r = ctx.rng
    k = _arg(key, "home")
    out = [
        _phi(street(ctx), STREET),
        _txt(r.choice([", ", " ", "\n"])),
        _phi(ctx.town(k), CITY),
        _txt(", " + ctx.state(k) + " "),
    ]
    z = g_zip(ctx, None)
    assert isinstance(z, list)
    return out + z


# --- numbers / contact ----------------------------------------------------------
def phone_str(r: random.Random) -> str:
    """Return an invented US phone number in one of the usual written styles."""
    a = r.randint(201, 989)
    while a % 100 == 11 or a // 10 % 10 == 9:
        a = r.randint(201, 989)
    e = r.randint(201, 989)
    n = r.randint(0, 9999)
    if r.random() < 0.08:
        e, n = 555, r.randint(100, 199)
    return r.choice(
        [
            f"({a}) {e}-{n:04d}",
            f"{a} {e}-{n:04d}",
            f"{a}.{e}.{n:04d}",
            f"{a}-{e}-{n:04d}",
            f"{a}-{e}-{n:04d}",
            f"({a}){e}-{n:04d}",
            f"{e}-{n:04d}",
            f"{a}{e}{n:04d}",
            f"1-{a}-{e}-{n:04d}",
            f"+1 {a} {e} {n:04d}",
            f"({a}) {e}-{n:04d}",
        ]
    )


def g_phone(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    out = [_phi(phone_str(r), PHONE)]
    if r.random() < 0.12:
        # The extension is a PHONE_NUMBER too; the word before it is not.
        word, digits = r.choice(
            [
                (" x", r.randint(100, 9999)),
                (" ext. ", r.randint(10, 9999)),
                (" ext ", r.randint(10, 999)),
                ("x", r.randint(1000, 9999)),
            ]
        )
        out += [_txt(word), _phi(str(digits), PHONE)]
    return out


def g_phonex(ctx: NoteContext, arg: str | None) -> GenResult:
    """An extension, pager or beeper number: only the digits are marked."""
    r = ctx.rng
    word, digits = r.choice(
        [
            ("x", str(r.randint(1000, 9999))),
            ("x", str(r.randint(1000, 9999))),
            ("ext. ", str(r.randint(1000, 9999))),
            ("pgr ", str(r.randint(10000, 99999))),
            ("p", str(r.randint(1000, 9999))),
            ("beeper ", f"{r.randint(1, 9)}-{r.randint(1000, 9999)}"),
        ]
    )
    return [_txt(word), _phi(digits, PHONE)]


def g_pager(ctx: NoteContext, arg: str | None) -> GenResult:
    """A pager number printed after the word 'Pager'."""
    r = ctx.rng
    return [
        _phi(
            r.choice([str(r.randint(1000, 99999)), f"{r.randint(1, 9)}-{r.randint(1000, 9999)}"]),
            PHONE,
        )
    ]


def g_mrn(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_phi(mrn_of(ctx), MRN)]


def mrn_of(ctx: NoteContext) -> str:
    """Return the patient's MRN, drawing it on first use."""
    r = ctx.rng
    if "mrn" not in ctx.misc:
        ctx.misc["mrn"] = r.choice(
            [
                f"{r.randint(0, 9999999):07d}",
                f"{r.randint(0, 99999999):08d}",
                f"{r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}",
                f"{r.randint(10000000, 99999999)}",
                f"E{r.randint(1000000, 9999999)}",
            ]
        )
    return str(ctx.misc["mrn"])


def _alnum(r: random.Random, n: int, digits_only: bool = False) -> str:
    pool = "0123456789" if digits_only else "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "".join(r.choice(pool) for _ in range(n))


def g_acct(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_phi(str(ctx.rng.randint(10**8, 10**10)), ID)]


def g_idnum(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_phi(str(ctx.rng.randint(1000, 99999)), ID)]


def g_memberid(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    s = r.choice(
        [
            _alnum(r, 3) + _alnum(r, 9, True),
            "W" + _alnum(r, 9, True),
            _alnum(r, 11),
            f"{_alnum(r, 9, True)}-{r.randint(1, 9):02d}",
            "XJH" + _alnum(r, 9, True),
            f"{r.randint(100000000, 999999999)}",
        ]
    )
    return [_phi(s, ID)]


def g_mbi(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    ls = "ACDEFGHJKMNPQRTUVWXY"
    lsd = ls + "0123456789"
    s = (
        f"{r.randint(1, 9)}{r.choice(ls)}{r.choice(lsd)}{r.randint(0, 9)}-"
        f"{r.choice(ls)}{r.choice(lsd)}{r.randint(0, 9)}-{r.choice(ls)}{r.choice(ls)}"
        f"{r.randint(10, 99)}"
    )
    if r.random() < 0.4:
        s = s.replace("-", "")
    return [_phi(s, ID)]


def g_group(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    s = r.choice(
        [
            f"{r.randint(0, 99999):05d}",
            f"{r.randint(100000, 999999)}-{r.randint(10, 99)}",
            _alnum(r, 7),
        ]
    )
    return [_phi(s, ID)]


def g_serial(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    s = r.choice(
        [
            _alnum(r, 3) + _alnum(r, 6, True) + r.choice("SHGR"),
            f"{_alnum(r, 3)}-{_alnum(r, 5, True)}",
            f"{r.randint(10**7, 10**8)}",
            f"RNB{_alnum(r, 6, True)}",
        ]
    )
    return [_phi(s, ID)]


def g_accession(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    s = r.choice(
        [
            f"S{ctx.adm.year % 100:02d}-{r.randint(100, 99999)}",
            f"{r.choice('SCF')}{r.randint(10**5, 10**6)}",
        ]
    )
    return [_phi(s, ID)]


def g_ssn(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    return [_phi(f"{r.randint(100, 899)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}", SSN)]


def g_ssn4(ctx: NoteContext, arg: str | None) -> GenResult:
    """The last four digits of an SSN, as printed in 'SSN on file ends in 1234'."""
    return [_phi(f"{ctx.rng.randint(0, 9999):04d}", SSN)]


def _letters(s: str) -> str:
    return re.sub(r"[^a-z]", "", s.lower())


def g_email(ctx: NoteContext, slot: str | None) -> GenResult:
    r = ctx.rng
    p = ctx.person(_arg(slot, "pt")).person
    f_ = _letters(p.first)
    l_ = _letters(p.last)
    user = r.choice(
        [
            f"{f_}.{l_}",
            f"{f_[0]}{l_}",
            f"{f_}{l_}{r.randint(1, 99)}",
            f"{l_}{f_[0]}{r.randint(40, 99)}",
            f"{f_}_{l_}",
            f"{f_}{r.randint(1940, 2005)}",
            f"{f_[0]}.{l_}",
        ]
    )
    return [_phi(f"{user}@{r.choice(EMAIL_DOMAINS)}", EMAIL)]


def g_staffemail(ctx: NoteContext, role: str | None) -> GenResult:
    r = ctx.rng
    p = ctx.person(_arg(role, "adm")).person
    dom = _letters(_fac_short(ctx.fac(r.choice(["snf", "hh", "practice"]))))[:18]
    suffix = r.choice([".org", ".com", "health.org", "care.com"])
    return [_phi(f"{_letters(p.first)[0]}{_letters(p.last)}@{dom}{suffix}", EMAIL)]


def g_url(ctx: NoteContext, key: str | None) -> GenResult:
    r = ctx.rng
    dom = _letters(_fac_short(ctx.fac(_arg(key, "hosp"))))[:20]
    p = ctx.pt
    s = r.choice(
        [
            f"www.{dom}.org",
            f"https://www.{dom}health.org/patients",
            f"http://{dom}.com",
            f"{dom}.org/portal",
            f"https://mychart.{dom}.org",
            f"https://{dom}health.com/billpay",
            f"www.caringbridge.org/visit/{p.first.lower()}{_letters(p.last)}",
            f"https://portal.{dom}.org/login",
        ]
    )
    return [_phi(s, URL)]


def _age_seg(a: int) -> Seg:
    return _phi(str(a), AGE) if a > 89 else _txt(str(a))


def g_age(ctx: NoteContext, arg: str | None) -> GenResult:
    r = ctx.rng
    s = "M" if ctx.sex == "M" else "F"
    if r.random() < 0.5:
        sw = "man" if ctx.sex == "M" else "woman"
    else:
        sw = "male" if ctx.sex == "M" else "female"
    if ctx.style in ("ds", "hp", "sw") and r.random() < 0.6:
        suf = r.choice(
            [f"-year-old {sw}", f" year old {sw}", f"-year-old {sw}", f" y/o {sw}", f" yo {s}"]
        )
    else:
        suf = r.choice(
            [
                f" yo {s}",
                f"yo {s}",
                f" y/o {s}",
                f" YO {s}",
                s,
                f" yr old {s}",
                f" yo {sw}",
                f"-year-old {sw}",
                f"y.o. {s}",
            ]
        )
    return [_age_seg(ctx.age), _txt(suf)]


def g_agen(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_age_seg(ctx.age)]


def g_oldage(ctx: NoteContext, arg: str | None) -> GenResult:
    return [_age_seg(ctx.rng.choice([ctx.rng.randint(90, 101), ctx.rng.randint(58, 89)]))]


def g_relage(ctx: NoteContext, slot: str | None) -> GenResult:
    """Age of a relative, e.g. the spouse."""
    if slot == "spouse":
        a = max(18, min(103, ctx.age + ctx.rng.randint(-6, 6)))
    else:
        a = ctx.rng.randint(30, 75)
    return [_age_seg(a)]


GENERATORS: dict[str, Gen] = {
    "date": g_date,
    "datel": g_datel,
    "dates": g_dates,
    "dowdate": g_dowdate,
    "nth": g_nth,
    "monyr": g_monyr,
    "yr": g_yr,
    "time": g_time,
    "clock": g_clock,
    "n": g_n,
    "f": g_f,
    "pick": g_pick,
    "med": g_med,
    "medlist": g_medlist,
    "labs": g_labs,
    "vitals": g_vitals,
    "fam": g_fam,
    "famn": g_famn,
    "famfull": g_famfull,
    "famlabel": g_famlabel,
    "famrel": g_famrel,
    "kpro": g_kpro,
    "kposs": g_kposs,
    "elderly": g_elderly,
    "retired": g_retired,
    "fullname": g_fullname,
    "firstname": g_firstname,
    "pt": g_pt,
    "ptfirst": g_ptfirst,
    "ptlast": g_ptlast,
    "dr": g_dr,
    "drl": g_drl,
    "drfull": g_drfull,
    "drinit": g_drinit,
    "staff": g_staff,
    "sig": g_sig,
    "fac": g_fac,
    "facab": g_facab,
    "osh": g_osh,
    "unit": g_unit,
    "pharm": g_pharm,
    "town": g_town,
    "state": g_state,
    "townst": g_townst,
    "county": g_county,
    "street": g_street,
    "zip": g_zip,
    "addr": g_addr,
    "phone": g_phone,
    "phonex": g_phonex,
    "pager": g_pager,
    "mrn": g_mrn,
    "acct": g_acct,
    "idnum": g_idnum,
    "memberid": g_memberid,
    "mbi": g_mbi,
    "group": g_group,
    "serial": g_serial,
    "accession": g_accession,
    "ssn": g_ssn,
    "ssn4": g_ssn4,
    "email": g_email,
    "staffemail": g_staffemail,
    "url": g_url,
    "age": g_age,
    "agen": g_agen,
    "oldage": g_oldage,
    "relage": g_relage,
    "dx": g_dx,
    "pmh": _choice_gen("pmh", PMH),
    "proc": _choice_gen("proc", PROCS),
    "comp": _choice_gen("comp", COMPS),
    "sx": _choice_gen("sx", SX),
    "job": _choice_gen("job", JOBS),
    "lang": _choice_gen("lang", LANGS),
    "insurer": _choice_gen("insurer", INSURERS),
    "service": _choice_gen("service", SERVICES),
    "brand": _choice_gen("brand", VENT_BRANDS),
    "panel": _choice_gen("panel", LAB_PANELS),
    "he": _sexed("he", "she"),
    "He": _sexed("He", "She"),
    "his": _sexed("his", "her"),
    "His": _sexed("His", "Her"),
    "him": _sexed("him", "her"),
    "sexw": _sexed("man", "woman"),
    "sexl": _sexed("male", "female"),
    "S": _sexed("M", "F"),
    "mr": _sexed("Mr.", "Ms."),
    "gent": _sexed("gentleman", "lady"),
}

TOKEN = re.compile(r"\{([A-Za-z_0-9]+)(?::([^{}]*))?\}")


def render(ctx: NoteContext, tpl: str) -> list[Seg]:
    """Expand a template's ``{generator:arg}`` tokens into segments."""
    out: list[Seg] = []
    pos = 0
    for m in TOKEN.finditer(tpl):
        if m.start() > pos:
            out.append(_txt(tpl[pos : m.start()]))
        res = GENERATORS[m.group(1)](ctx, m.group(2))
        out.extend([_txt(res)] if isinstance(res, str) else res)
        pos = m.end()
    if pos < len(tpl):
        out.append(_txt(tpl[pos:]))
    return out


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------

# 1. ICU nursing progress notes (telegraphic)
# ---------------------------------------------------------------------------
ICU_HEAD = [
    "NPN 7a-7p",
    "Nursing Progress Note 0700-1900",
    "MICU NURSING NOTE 1900-0700",
    "CCU nsg progress note {dates:today}",
    "RN Note {dates:today} 19:00-07:00",
    "{unit} nursing note, 7p-7a",
    "SICU RN progress note (days)",
    "Nursing note {dowdate:today}, 0700-1930",
    "NURSING PROGRESS NOTE -- {date:today} -- nights",
    "CVICU nsg 7a-3p",
    "npn 3-11",
]
ICU_INTRO = [
    "Pt is a {age} admitted {dates:adm} from {osh} with {dx}.",
    "{age} transferred from {osh} on {dates:adm} for {dx}, intubated at OSH for airway protection.",
    "HD#{n:2-9}. {age} w/ hx {pmh}, {pmh}, adm w/ {dx}.",
    "{pt:short} is a {age} s/p {proc} on {dates:adm}, post-op course c/b {comp}.",
    "Pt is a {age} from {fac:snf} sent in for {dx}, hx {pmh}.",
    "Received pt from ED at {time}; {age} who presented to {osh:osh} ED on {dates:yest} w/ {dx}, "
    "transferred for higher level of care.",
    "{age} w/ {pmh} and {pmh}, seen at {osh:osh2} {dates:prior} for same, now readmitted w/ {dx}.",
    "Please see CareVue/FHP for admission hx. Briefly: {age}, {dx}.",
]
ICU_SYS = {
    "Neuro": (
        ["Neuro:", "NEURO:", "Neuro-", "N:", "neuro:"],
        [
            "A&Ox3, MAE, follows commands.",
            "sedated on propofol {n:10-50} mcg/kg/min, RASS -{n:1-3}, arouses to voice.",
            "lethargic but arousable, oriented to self only. PERRL 3mm brisk.",
            "GCS {n:9-14} (Glasgow coma scale E{n:2-4}V{n:2-4}M6). Pupils equal/reactive.",
            "pt confused overnight, pulling at lines, mitts on per protocol, {dr:res} aware.",
            "hx Parkinson's disease, tremor noted BUE, sinemet given via OGT.",
            "c/o HA {n:4-8}/10, tylenol 650 mg PO given w/ relief to {n:1-3}/10.",
            "MAE x4, strength 5/5 BUE, 4/5 BLE.",
            "pt asking for {famn:spouse} frequently, easily reoriented.",
            "CIWA {n:8-22}, ativan 1 mg IV x1 at {time}.",
            "seen by neuro ({dr:neuro}), EEG ordered, Babinski upgoing on L.",
            "sleeping in naps, will awaken to name, speech garbled at times. Alzheimer's at "
            "baseline per {famlabel:kid}.",
        ],
    ),
    "CV": (
        ["CV:", "CV-", "Cardiac:", "C/V:", "CV"],
        [
            "NSR {n:60-90}s, no ectopy. SBP {n:100-120}-{n:130-150}s.",
            "AFib {n:100-120}-{n:125-140}s, dilt gtt at {n:5-15} mg/hr, SBP 90-100s.",
            "HR {n:55-80}-{n:85-110}, BP {n:95-110}/{n:50-60} - {n:130-160}/{n:70-90}, MAP >65.",
            "levophed weaned to off at {time}, MAPs 60s-70s.",
            "+ 2/6 SEM, 1+ pedal edema, pulses palp x4.",
            "Swan-Ganz in place, CVP {n:6-16}, CI 2.{n:0-9}, SVR {n:700-1400}.",
            "K {f:3.0~3.6} repleted w/ 40 meq KCl PO, Mg {f:1.4~1.8} repleted 2 gm IV.",
            "trop {pick:0.12|0.45|1.3|2.88}, cards ({dr:card}) following, heparin gtt per "
            "protocol.",
            "PPM interrogated by {brand} rep this AM, device SN {serial}, functioning "
            "appropriately.",
            "ST 100s after lasix, K {f:3.2~4.4}, 12 lead done, {dr:res} reviewed.",
            "BP labile 90s-170s systolic, hydralazine 10 mg IV x1 for SBP >170.",
        ],
    ),
    "Resp": (
        ["Resp:", "RESP:", "Resp-", "Pulm:", "R:"],
        [
            "LS coarse bilat, dim at bases. on 2L NC sats {n:93-95}-{n:96-99}%.",
            "intubated, AC 500x14, FiO2 40%, PEEP 5. ABG 7.{n:30-45}/{n:35-55}/{n:70-120}.",
            "weaned to PS 5/5 this AM, tolerating, hope to extubate if stays stable.",
            "suctioned for mod amt thick tan secretions, sputum sent.",
            "CXR this am w/ R>L effusion, Kerley B lines noted by rads.",
            "sats dropped to 88% around {time}, incr to 4L NC, {staff:rt} in to eval, neb given.",
            "extubated to 40% face tent at {time}, strong cough, clearing own secretions.",
            "CT to -20 suction, Pleur-evac w/ small air leak, {n:50-200} cc serosang out this "
            "shift.",
            "on BiPAP 12/5 overnight, off in AM to 3L NC.",
            "trach collar 35%, trach care done, inner cannula changed.",
        ],
    ),
    "GI": (
        ["GI:", "GI/GU:", "GI-", "Abd:"],
        [
            "abd soft, NT/ND, +BS. NPO after MN for EGD.",
            "tolerating clears, adv to regular diet. little appetite.",
            "TF (Jevity 1.2) at goal 60 ml/hr via Dobhoff, residuals <50.",
            "+BM x2 loose, brown, guaiac neg. C diff sent.",
            "black tarry stool x1, H/H {f:6.8~8.1}/{n:20-25}, GI aware, 1 unit PRBC hung at "
            "{time}.",
            "s/p Whipple, JP drain x2 w/ serous output, creon w/ meals.",
            "bowel regimen: colace 100 mg BID, senna 2 tabs HS, dulcolax PR PRN.",
            "OGT to LIS, {n:100-400} cc bilious out.",
            "pt c/o nausea x2, zofran 4 mg IV w/ good effect.",
        ],
    ),
    "GU": (
        ["GU:", "Renal:", "GU-"],
        [
            "Foley draining clear yellow urine, UO {n:30-50}-{n:60-150} cc/hr.",
            "lasix 40 mg IV BID, net neg {f:0.5~2.5} L at MN.",
            "voiding qs in urinal.",
            "Cr {f:1.6~3.9} from {f:0.8~1.5}, renal ({dr:renal}) following, ?HD in AM.",
            "UO marginal 15-25 cc/hr, bolused 500 cc LR, MD aware.",
            "CRRT running w/o issue, UF goal -50 to -100/hr.",
            "foley d/c'd at {time}, DTV by {time}, bladder scan {n:100-450} cc.",
        ],
    ),
    "ID": (
        ["ID:", "ID-", "Id:"],
        [
            "Tmax {f:37.5~38.2}, temp rose to {f:38.3~39.4} at {time}, cultured x2, tylenol given.",
            "on vanc/zosyn day {n:2-7}, vanc trough {n:9-21}.",
            "afebrile, WBC {f:8.0~18.5}.",
            "MRSA swab neg. C diff precautions maintained.",
            "BC from {osh:osh} grew GPC in clusters, f/u sensitivities.",
        ],
    ),
    "Skin": (
        ["Skin:", "SKIN:", "Integ:"],
        [
            "coccyx stage 2, mepilex applied, turned q2h. Braden {n:10-16}.",
            "skin intact, heels offloaded on pillows.",
            "R IJ TLC site c/d/i, PIV x2 (20g L FA, 18g R AC).",
            "sacral DTI noted on adm from {fac:snf}, wound RN consult placed.",
            "surgical incision w/ staples, sm amt serous drainage, dsg changed.",
        ],
    ),
    "Endo": (
        ["Endo:", "ENDO:"],
        [
            "FS {n:110-140}-{n:150-240}s, RISS coverage.",
            "insulin gtt at {n:2-9} units/hr per protocol, FS q1h.",
            "stress dose steroids (hydrocort 50 mg IV q6h) cont.",
        ],
    ),
    "Access": (
        ["Access:", "Lines:", "Access-"],
        [
            "R radial aline, L IJ CVL, PIV x1.",
            "PICC placed at {osh:osh} on {dates:prior}, position confirmed.",
            "L femoral HD line, placed {dates:yest}.",
        ],
    ),
    "Social": (
        ["Social:", "SOCIAL:", "Soc:", "Psychosocial:", "Family:", "Dispo/social:"],
        [
            "{fam:spouse} in to visit, updated by RN.",
            "{fam:kid} called x2, will call back at {phone}.",
            "{fam:kid} is HCP, # {phone}. updated on POC.",
            "family mtg planned {dowdate:tom} at {clock} w/ {dr:att} and palliative.",
            "{fam:spouse} and {fam:kid2} at bedside most of day, tearful, emotional support given.",
            "{fam:other} from {town:other} called for update, referred to {famn:kid} (HCP) per pt "
            "request.",
            "no family in tonight. {fam:kid} aware of plan, lives in {town:kid}, will be in on "
            "{nth:+2}.",
            "Chaplain {staff:chap} in to see pt and family.",
            "pt's neighbor {fullname:neighbor} has keys to the house and is feeding the cat.",
            "Full code per d/w {fam:spouse} on {dates:yest}.",
            "{fam:kid} (cell {phone}) asked to be called w/ any changes overnight, even if late.",
            "SW ({staff:sw}) following, family requesting transfer to {fac:snf} when ready.",
            '{famn:spouse} called at {time}, asked that we tell pt "{famn:kid2} says hi".',
            "multiple family members calling; password in place, only {famn:spouse} and "
            "{famn:kid} to receive info.",
            "interpreter {staff:interp} ({lang}) used for update w/ {fam:spouse}.",
            "{fam:kid2} flying in from {town:kid2}, {state:kid2} on {dates:tom}.",
            "lives w/ {famlabel:spouse} in {town}. {famn:kid} is primary contact, works nights, "
            "best # is {phone}.",
            "pt's {famlabel:other} {famfull:other} visited, brought in pt's glasses and dentures.",
        ],
    ),
    "Plan": (
        ["Plan:", "PLAN:", "A/P:", "Plan-", "P:"],
        [
            "cont to monitor, update team w/ changes.",
            "possible transfer to {unit} in AM if stable.",
            "trach/PEG planned for {dowdate:+3} pending family decision.",
            "awaiting bed at {fac:snf}, screen done {dates:yest}.",
            "transfer back to {osh:osh} when stable per {dr:att}.",
            "f/u AM labs, K and Mg protocol.",
            "will d/c foley in AM, OOB to chair w/ PT.",
            "NPO for now per surgery ({dr:surg}).",
            "cont current POC. Wean FiO2 as tol.",
            "CT head in AM, neuro checks q2h.",
            "goals of care discussion w/ {fam:kid} and {dr:pall} on {nth:tom}.",
        ],
    ),
}
ICU_EVENTS = [
    "Events: around {time} pt became agitated, pulled at ETT, {dr:res} paged, haldol 2 mg IV x1 "
    "w/ good effect.",
    "Pt transferred from {unit} at {time} after rapid response for hypotension.",
    "Overnight: SBP to 80s at {time}, 500 cc NS bolus, SBP up to 100s. {dr:res} aware.",
    "Pt had 12 beat run of VT at {time}, asymptomatic, lytes sent, K {f:3.1~3.5}, repleted. Dr "
    "{drinit:res} aware.",
    "Pt fell at {fac:snf} on {dates:prior}, found on floor by staff, sent to {osh:osh}.",
    "Uneventful shift. Pt slept in naps.",
    "Rapid AF to 150s at {time}, metoprolol 5 mg IV x2, now 90s. Seen by {dr:card}.",
    "Pt to IR at {time} for tunneled line, back at {time}, tolerated well.",
    "Dr. {drinit:att} and team rounded at {time}, plan as below.",
]
ICU_SIGN = ["{sig:rn}", "{staff:rn}", "-{sig:rn}", "{sig:rn}/{staff:rn2}", ""]

# ---------------------------------------------------------------------------
# 2. Discharge summaries / H&P
# ---------------------------------------------------------------------------
DS_HEAD = [
    "DISCHARGE SUMMARY\n\nPatient: {pt:lf}    MRN: {mrn}\nAdmission Date: {datel:adm}    "
    "Discharge Date: {datel:dc}\nDate of Birth: {datel:dob}\nAttending: {drfull:att}\nService: "
    "{service}\n",
    "Discharge Summary\nName: {pt:lf}  Unit No: {mrn}\nAdmit: {date:adm}  D/C: {date:dc}\nPCP: "
    "{drl:pcp}, {fac:practice}\n",
    "DATE OF ADMISSION: {datel:adm}\nDATE OF DISCHARGE: {datel:dc}\nATTENDING PHYSICIAN: "
    "{drfull:att}\nCONSULTANTS: {drfull:cons1} (cardiology), {drfull:cons2} (renal)\n",
    "HOSPITAL DISCHARGE SUMMARY - {service}\n{pt:lf} (MRN {mrn}, acct {acct})\nAdmitted "
    "{date:adm}, discharged {date:dc} to {fac:snf}.\n",
]
DS_HPI = [
    "{pt:ref} is a {age} with a history of {pmh}, {pmh}, and {pmh} who presented to the "
    "{fac:hosp} ED on {date:adm} with {n:2-5} days of {sx}.",
    "Briefly, {pt:refm} is a {age} who lives alone in {town} and was brought in by {his} "
    "{famrel:kid}, {famfull:kid}, after being found on the floor by a neighbor.",
    "{pt:ref} is a {age} resident of {fac:snf} with {pmh} and {pmh} who was sent in for {dx}.",
    "This is a {age}, retired {job} from {town}, with hx of {pmh} who was transferred from "
    "{osh:osh} on {date:adm} for management of {dx}.",
    "The patient is a {age} with {pmh} who was in {his} usual state of health until "
    "{dates:prior}, when {he} developed {sx} and {sx}.",
    "{pt:ref} is a pleasant {age} followed by {drl:pcp} at {fac:practice} who presents with {sx}. "
    "{He} was seen at {fac:osh2} urgent care on {dates:prior} and given a course of azithromycin "
    "without improvement.",
]
DS_COURSE = [
    "# {dx}: Treated with IV ceftriaxone and azithromycin, transitioned to PO cefpodoxime on "
    "HD#{n:2-4}. Blood cultures from {date:adm} with no growth. {He} will complete a 5 day course.",
    "# Acute on chronic systolic CHF: {He} was diuresed with Lasix 40 mg IV BID with net negative "
    "{f:2.0~7.5} L over the admission. TTE showed EF {n:20-40}%, moderate MR. {drl:cons1} from "
    "cardiology was consulted and recommended uptitrating metoprolol. Discharge weight {n:55-110} "
    "kg.",
    "# AKI on CKD: Cr peaked at {f:2.1~3.8} on {date:+2} (baseline {f:1.0~1.6}), felt prerenal, "
    "improved with gentle IVF. Renal ({drl:cons2}) signed off on {date:+4}.",
    "# Afib with RVR: rate controlled with diltiazem gtt then PO metoprolol. CHA2DS2-VASc "
    "{n:3-7}; apixaban resumed after discussion with {his} {famrel:kid}.",
    "# Upper GI bleed: presented with melena, Hgb nadir {f:6.2~7.9}, transfused 2 units PRBC. EGD "
    "on {date:+1} by {drl:gi} showed a Mallory-Weiss tear, no intervention needed. PPI BID x 8 "
    "weeks.",
    "# Delirium: likely multifactorial in setting of infection and new environment. Managed with "
    "reorientation, sleep hygiene, low dose quetiapine qHS. Per {his} {famrel:spouse}, "
    "{famn:spouse}, {he} is now close to baseline.",
    "# Goals of care: Family meeting held on {date:+3} with {pt:ref}, {his} {famrel:kid} "
    "{famn:kid}, and palliative care ({drfull:pall}). {He} confirmed DNR/DNI; MOLST completed and "
    "copy sent with patient.",
    "# Hyponatremia: Na {n:119-127} on admission, felt SIADH vs hypovolemia; fluid restriction "
    "1.5 L with improvement to {n:131-136} at discharge.",
    "# DM2: A1c {f:6.8~10.9}%. Metformin held in house, covered with ISS, resumed on discharge.",
    "# Parkinson's disease: continued home carbidopa/levodopa; PT/OT evaluated and recommended "
    "short term rehab.",
    "# Fall / L hip fx: Ortho ({drl:ortho}) performed ORIF on {date:+1}; WBAT. Lovenox x 4 weeks "
    "for DVT ppx.",
    "# Pancreatic CA s/p Whipple: oncology ({drl:onc}, {fac:spec}) aware of admission; will see "
    "{him} in clinic.",
    "# C diff colitis: PO vancomycin 125 mg QID x 10 days, last dose {date:+9}.",
]
HP_PMH = [
    "PMH:\n- {pmh}\n- {pmh}\n- {pmh}\n- {pmh}",
    "Past Medical History: {pmh}; {pmh}; {pmh}; s/p {proc} ({yr:2-25}).",
    "PMHx: {pmh}, {pmh}, {pmh}, hx C diff ({monyr:old}).",
]
HP_PSH = [
    "PSH: {proc} ({yr:2-25}), {proc} ({yr:2-25}), appendectomy as a child.",
    "Surgical hx: {proc} at {fac:osh2} in {yr:1-15}; cataract surgery OU.",
    "PSH: none. Foley placement difficult in past per urology - uses coude.",
]
HP_ALL = [
    "Allergies: {pick:NKDA|PCN (rash)|sulfa (hives)|codeine (N/V)|iodinated contrast "
    "(hives)|lisinopril (angioedema)}",
    "ALL: {pick:NKDA|PCN|latex, adhesive tape|morphine (itching)}",
]
HP_SOCIAL = [
    "SOCIAL HISTORY: Lives alone in {town}. {retired} {job}. Former smoker ({n:20-60} pk-yr), "
    "quit {yr:5-30}. Occasional EtOH.",
    "Social: {retired} {job} from {town}, widowed, lives with {his} {famrel:kid} {famfull:kid} "
    "and {kposs:kid} family.",
    "SH: originally from {townst:orig}, moved to {town} in {yr:3-40} to be closer to {famn:kid}. "
    "Lives in a 2-story house with {his} {famrel:spouse}, {famn:spouse} ({relage:spouse}). No "
    "tobacco.",
    "Social Hx: Lives at {fac:snf} x {n:1-6} yrs; ambulates with walker. HCP is {famrel:kid} "
    "{famfull:kid} ({phone}).",
    "SH: Lives with {his} {famrel:spouse} in {town}, {state}. {retired} {job}. 1 ppd x {n:20-50} "
    "yrs, still smoking. Drinks {n:2-6} beers/day, last drink {dates:yest}.",
    "Social: from {townst}. Married to {famfull:spouse}, {n:2-6} children; {famlabel:kid} "
    "{famn:kid} is nearby. Independent in ADLs, still drives.",
    "SOC: pt and {his} {famrel:spouse} {famn:spouse} live in senior housing ({fac:snf2} "
    "independent living). Uses cane. Never smoker.",
]
HP_FHX = [
    "Family history: Mother with Alzheimer's dementia, died at {oldage}; father with MI at "
    "{n:48-72}. Sister with breast CA.",
    'FHx: father died at {oldage} ("old age"), mother had Huntington\'s chorea. No early CAD.',
    "FH: noncontributory. Brother with Crohn's disease.",
    "Fam hx: mother living, age {oldage}, in {fac:snf3}; father d. {n:55-80} of colon CA.",
]
HP_EXAM = [
    "Exam: {vitals}\nGen: NAD, thin {elderly} {sexw}\nHEENT: dry MM, no JVD\nCV: RRR, 2/6 SEM at "
    "RUSB radiating to carotids\nLungs: bibasilar crackles, no wheeze\nAbd: soft, NT, Murphy's "
    "sign negative\nExt: 1+ pitting edema to mid-shin\nNeuro: A&Ox{n:1-3}, CN II-XII intact, "
    "strength 5/5 x4, Babinski downgoing",
    "PE: {vitals}. {elderly} {gent} lying in bed, appears stated age. Lungs w/ rhonchi R base. "
    "Heart irreg irreg, no m/r/g. Homan's sign neg. Skin w/o rash.",
    "PHYSICAL EXAM:\n{vitals}\nGeneral: uncomfortable, diaphoretic\nNeck: JVP to angle of "
    "jaw\nHeart: S1 S2, S3 present, 3/6 holosystolic murmur at apex\nLungs: crackles 1/2 way up "
    "bilaterally\nExt: 2+ edema to knees, cool\nNeuro: nonfocal, Glasgow coma scale 15",
]
HP_LABS = [
    "Labs: {labs}; {labs}.",
    "Data: {labs}. CXR: RLL opacity. EKG: sinus, 1st degree AV block, no acute ST changes.",
    "Labs notable for {labs}. UA: large LE, >50 WBC, many bacteria. CT A/P: no acute process.",
]
HP_HPI2 = [
    "Per {his} {famrel:kid} {famn:kid}, {he} has had poor PO intake and has been sleeping more "
    "over the past week.",
    "In the ED, {vitals}. Received 2L NS, vanc/zosyn, and blood cultures were drawn.",
    "{He} denies CP, palpitations, or syncope. Of note, {he} was recently admitted to {fac:osh2} "
    "({dates:prior}) for similar sx.",
    "Reports pain {n:5-9}/10, worse with movement. Took 1/2 tab of {his} {famrel:spouse}'s "
    "oxycodone at home.",
    "EMS found {him} with FSBG {n:35-55}, given D50 with improvement in mental status.",
]
DS_DISPO = [
    "Discharge disposition: Extended care facility - {fac:snf}.",
    "Discharged home with VNA services through {fac:hh}.",
    "Discharged home with family; {his} {famrel:kid}, {famn:kid}, will stay with {him} for the "
    "first week.",
    "Disposition: {fac:rehab} for short term rehab, then likely return home to {town}.",
    "D/C to {fac:ltach} for continued vent wean.",
    "Discharged home with hospice ({fac:hospice}); family aware and agreeable.",
]
DS_FU = [
    "Follow up with {drl:pcp} at {fac:practice} in 2 weeks ({phone}).",
    "Follow-up appointments:\n- PCP: {drfull:pcp}, {fac:practice}, {phone}, on {date:fu} at "
    "{clock}\n- Cardiology: {drl:cons1}, {fac:card}, {dowdate:fu2}",
    "Please draw BMP on {dates:fu} at {fac:lab} and fax results to {drl:pcp} at {phone}.",
    "Pt should call {fac:card} ({phone}) to schedule TTE in 3 months.",
    "F/u in {drl:onc}'s clinic at {fac:spec} on {date:fu2} as previously scheduled.",
    "Outpatient PT at {fac:rehab}, {addr:rehab}.",
    "Discharge instructions and results are available on the patient portal ({url}).",
    "Appointments: {date:fu} {clock} w/ {drfull:pcp}; {date:fu2} {clock} w/ {drfull:cons1} "
    "({fac:card}, {phone}).",
]
DS_SIGN = [
    "Electronically signed by: {drfull:att} on {datel:dc} {time}",
    "{drfull:res}, resident, for {drfull:att}\ncc: {drfull:pcp}, {fac:practice}",
    "Dictated by: {drfull:res}  D: {datel:dc}  T: {datel:+1}\nJob #: {acct}",
    "{drfull:att}\nPager {pager}",
]
HP_HEAD = [
    "ADMISSION HISTORY AND PHYSICAL\nPatient: {pt:lf}  DOB: {datel:dob}  MRN: {mrn}\nDate: "
    "{datel:adm}\nPCP: {drfull:pcp} ({fac:practice})\nSource: pt, {famrel:kid} ({famn:kid}), "
    "records from {osh:osh}",
    "H&P - {service}\n{pt:lf}, {age}\nAdmit date {date:adm}",
    "Medicine Admission Note {date:adm} {time}\nCC: {sx}",
]
HP_AP = [
    "A/P: {age} with {pmh} and {pmh} presenting with {dx}.\n1. {dx}: admit to {unit}, cultures, "
    "empiric abx.\n2. {pmh}: cont home meds.\n3. FEN: cardiac diet, replete lytes.\n4. PPx: "
    "heparin SC. FULL CODE, HCP {famrel:kid} {famfull:kid}.",
    "Assessment and Plan:\n{pt:ref} is a {age} with {dx}, likely in setting of {sx}. Will admit "
    "to medicine, d/w {drl:att}. Code status discussed with pt and {his} {famrel:spouse} - "
    "DNR/DNI. Contact: {famfull:spouse} {phone}.",
]

# ---------------------------------------------------------------------------
# 3. Social work / case management
# ---------------------------------------------------------------------------
SW_HEAD = [
    "SOCIAL WORK NOTE",
    "Case Management Progress Note",
    "CM/SW Discharge Planning Note",
    "SW f/u note {dates:today}",
    "Social Work Initial Assessment - {date:today}",
    "CASE MANAGEMENT NOTE\nDate: {date:today}",
]
SW_BODY = [
    "Met with pt and {fam:kid} at bedside to discuss dc planning.",
    "Pt is a {age} admitted {date:adm} with {dx}. Pt lives {pick:alone|with spouse|with "
    "family|alone, widowed} at {addr}.",
    "Pt lives in a {pick:2-story home|1st floor apartment|senior apartment|trailer|rowhouse} in "
    "{town} with {his} {famrel:spouse} {famn:spouse}; {n:3-14} steps to enter.",
    "Contacts:\n- {famlabel:kid} {famfull:kid} (HCP): cell {phone}, work {phone}\n- "
    "{famlabel:kid2} {famfull:kid2}: {phone}, email {email:kid2}",
    "Emergency contact: {famfull:other} ({famrel:other}) {phone}.",
    "Insurance: Medicare A/B, MBI {mbi}; secondary {insurer} member ID {memberid}, group {group}.",
    "Pt has {insurer} Medicare Advantage (ID {memberid}); auth for SNF submitted via portal, ref "
    "# {memberid}.",
    "Pt receives services through {fac:hh} ({phone}), RN visits 2x/wk.",
    "Referrals sent to {fac:snf}, {fac:snf2}, and {fac:snf3}.",
    "{fac:snf} accepted; bed available {dowdate:tom}. Spoke with {staff:adm} in admissions "
    "({phone}).",
    "Pt's PCP is {drl:pcp} at {fac:practice}, {town:pcp}.",
    "Family can access updates at {url}.",
    "Pt attends dialysis at {fac:dial} MWF, chair time {clock}. Unit SW {fullname:dialsw} aware of "
    "admission ({phone}).",
    "{famlabel:kid2} {famn:kid2} lives in {town:kid2}, {state:kid2}, about {n:2-9} hrs away, and "
    "is unable to provide care.",
    "APS report filed with {fac:aps} on {date:today} re: concern for self-neglect; worker "
    "{fullname:aps} assigned ({phone}).",
    "Meals on Wheels through {fac:coa} to resume at discharge.",
    "Pt's {famrel:spouse} {famn:spouse} ({relage:spouse} yo) has early dementia and cannot manage "
    "pt's care alone.",
    'Pt prefers to be called "{ptfirst}". Primary language {lang}; interpreter used '
    "({staff:interp}, ID #{idnum}).",
    "{famn:kid} requested that all correspondence go to {addr:kid}; email {email:kid}.",
    "Pt has a guardianship petition pending in {county} probate court; attorney {fullname:atty} "
    "({phone}).",
    "Faxed clinicals to {fac:snf2} at {phone}; admissions coordinator {staff:adm2}, "
    "{staffemail:adm2}.",
    "Transportation: {famn:kid} will transport pt at {clock} on {date:dc}.",
    "Pt receives SSDI; rep payee is {famlabel:kid} {famfull:kid}. SSN on file ends in {ssn4}.",
    'Pt reports {he} was previously at {fac:snf3} after a hip fx in {yr:1-6} and "will not go '
    'back there."',
    "Rx assistance: pt's pharmacy is {pharm}; copay card info given to {famn:kid}.",
    "Medicaid application started with {famn:kid}; SSN {ssn} and proof of address ({street}, "
    "{town} {zip}) on file.",
    "Pt's mailing address is {addr}; {famlabel:kid} {famn:kid} lives at {addr:kid}.",
]
SW_ASSESS = [
    "Assessment: Pt and family appear to be coping appropriately. {famn:kid} is engaged and "
    "realistic re: need for SNF.",
    "A: Pt at high risk for readmission given limited supports. Pt's {famrel:spouse} is "
    "overwhelmed.",
    "Assessment: pt lacks capacity per {dr:psych} ({dates:yest}); {famrel:kid} {famn:kid} is HCP "
    "and is making decisions.",
    "Impression: adjustment to illness; no acute safety concerns identified.",
]
SW_PLAN = [
    "Plan: SW/CM will continue to follow for dc planning. Please page with questions {phonex}.",
    "Plan: await insurance auth; anticipate dc to {fac:snf} {dowdate:+2}. SW to update {famn:kid}.",
    "Plan:\n1. f/u with {fac:snf2} re: bed offer\n2. PT/OT to re-eval\n3. SW to call "
    "{famfull:kid} at {phone} with update",
    "Will follow. {sig:sw}",
]

# ---------------------------------------------------------------------------
# 4. Telephone encounters / addenda
# ---------------------------------------------------------------------------
PH_HEAD = [
    "Telephone Encounter",
    "Phone note {date:today} {time}",
    "ADDENDUM",
    "TC {dates:today}",
    "Late entry for {date:yest}:",
    "Telephone call - {pt:full} ({mrn})",
    "Addendum to note of {date:yest}",
    "PHONE NOTE",
    "Nursing telephone note",
]
PH_BODY = [
    "Called pt's {famrel:kid} {famn:kid} at home, left VM requesting call back at {phone}.",
    "Pharm ({pharm}) called re: refill of {med}. Per {dr:pcp}, ok to refill x1.",
    "Spoke w/ pt's {famrel:spouse} {famn:spouse}, who reports pt has been more confused since "
    "{dates:prior}. Advised to bring pt to ED if worse.",
    "{fam:kid} called asking about CT results from {dates:yest}; informed result pending, will "
    "call back.",
    "Rec'd fax from {fac:lab} re: path (accession {accession}); forwarded to {dr:onc}.",
    "Pt called c/o {sx} x {n:2-5} days. Denies CP/SOB. Advised to increase fluids, call back if "
    "fever >101.",
    "Left msg on pt's cell {phone} re: appt w/ {dr:pcp} on {dowdate:fu} at {clock}.",
    "VNA nurse {staff:vna} from {fac:hh} called, pt's weight up {n:3-6} lbs since {dates:prior}. "
    "Per {dr:cons1}, increase lasix to 40 mg BID x3 days.",
    "Portal message sent via {url} with lab results.",
    "Spoke with {fam:kid} (HCP). Reviewed plan, all questions answered. {famn:kid} can be reached "
    "at {phone} or by email {email:kid}.",
    "{staff:rn2} from {fac:snf} called at {time}: pt had a fall, no head strike, VS stable. "
    "Advised to send to {osh:osh} ED if any change.",
    "Pt's {famlabel:other} {famn:other} called requesting info; no release on file, info not "
    "given.",
    "INR {f:1.4~4.2} today at {fac:lab}. Per protocol hold warfarin x1, then resume 2.5 mg daily. "
    "Recheck {dates:fu}.",
    "Addendum: pt seen by {staff:pt_ther} after my exam; recommends rolling walker and home PT.",
    "Received call from {dr:cons1} at {fac:card}, reviewed echo, no change to plan.",
    "Called {fac:pharm2} ({phone}) to cancel duplicate Rx for {med}.",
    "Called pt at home ({phone}); no answer, left VM. Will try again {dowdate:tom}.",
    "Spoke w/ pt's son-in-law, {fullname:sil}, who states pt moved to {famlabel:kid}'s house at "
    "{addr:kid}.",
    "Discussed with {dr:att}, agrees with plan.",
    "Pt's {famrel:kid} faxed POA paperwork to {phone}; scanned to chart.",
]
PH_SIGN = ["{sig:rn}", "{sig:np}", "{drfull:pcp}", "-{staff:rn}", "{staff:np}", "{sig:rn} {time}"]


# ---------------------------------------------------------------------------


# Printout headers: the patient's name and MRN are on every document.
HEADERS = [
    "{fac:hosp}\nPatient: {pt:lf}   MRN: {mrn}   DOB: {datel:dob}\nDate of service: {datel:doc}",
    "{pt:lf}  (MRN {mrn})   {fac:hosp}   {datel:doc}",
    "{fac:hosp} - {unit}\nName: {pt:lf}   MR#: {mrn}   Acct: {acct}   Adm: {datel:adm}",
    "PATIENT: {pt:lf}    MRN: {mrn}    DOB: {datel:dob}    LOC: {unit}",
    "{fac:hosp}  |  {pt:lf}  |  MRN {mrn}  |  {datel:doc}",
    "{facab:hosp} Clinical Documentation\n{pt:lf}   Med Rec #: {mrn}   Sex: {S}   DOB: {datel:dob}",
    "{pt:lf}\nMRN: {mrn}  DOB: {datel:dob}  Age: {agen}  Sex: {S}\nLocation: {unit}, {fac:hosp}",
]
RUNNING_HEADERS = [
    "{pt:lf}   MRN: {mrn}   (continued)",
    "{pt:lf} - {mrn}",
    "Patient: {pt:lf}   MRN {mrn}   DOB {datel:dob}",
]
FOOTERS = [
    "",
    "Page {i} of {n}",
    "Page {i}",
    "- {i} -",
    "CONFIDENTIAL  -  Page {i} of {n}",
    "Printed copy: Page {i} of {n}",
]


def _pick(r: random.Random, lst: Sequence[str], k: int) -> list[str]:
    return r.sample(list(lst), min(k, len(lst)))


def compose_icu(ctx: NoteContext) -> str:
    """Compose an ICU nursing progress note template."""
    r = ctx.rng
    parts = [r.choice(ICU_HEAD)]
    oneline = r.random() < 0.3
    if r.random() < 0.8:
        parts.append(r.choice(ICU_INTRO))
    if r.random() < 0.5:
        parts.append(r.choice(ICU_EVENTS))
    order = ["Neuro", "CV", "Resp", "GI", "GU", "ID", "Skin", "Endo", "Access", "Social", "Plan"]
    for sec in order:
        labels, tpls = ICU_SYS[sec]
        if sec not in ("Social", "Plan", "Neuro", "CV", "Resp") and r.random() < 0.35:
            continue
        k = r.choice([1, 1, 2, 2, 3]) if sec != "Social" else r.choice([2, 3, 3, 4])
        parts.append(r.choice(labels) + " " + " ".join(_pick(r, tpls, k)))
    sig = r.choice(ICU_SIGN)
    if sig:
        parts.append(sig)
    if oneline:
        return parts[0] + "\n" + " ".join(parts[1:])
    return "\n".join(parts)


def compose_ds(ctx: NoteContext) -> str:
    """Compose a discharge summary or an admission H&P template."""
    r = ctx.rng
    if ctx.style == "hp":
        hpi = "HPI: " + r.choice(DS_HPI) + " " + " ".join(_pick(r, HP_HPI2, r.randint(1, 2)))
        parts = [r.choice(HP_HEAD), hpi]
        groups: list[list[str] | None] = [
            HP_PMH,
            HP_PSH,
            None,
            HP_ALL,
            HP_SOCIAL,
            HP_FHX,
            HP_EXAM,
            HP_LABS,
        ]
        for grp in groups:
            if grp is None:
                meds = r.choice(["Meds on admission:", "Home meds:", "MEDICATIONS:"])
                parts.append(meds + "\n{medlist}")
            elif grp is HP_SOCIAL or grp is HP_PMH or r.random() < 0.8:
                parts.append(r.choice(grp))
        parts.append(r.choice(HP_AP))
        parts.append(r.choice(DS_SIGN[3:] + ["{drfull:res}, PGY-{n:1-3}\nd/w {drfull:att}"]))
        return "\n\n".join(parts)
    parts = [r.choice(DS_HEAD), "HISTORY OF PRESENT ILLNESS:\n" + r.choice(DS_HPI)]
    if r.random() < 0.6:
        parts.append(r.choice(HP_SOCIAL))
    course = _pick(r, DS_COURSE, r.randint(2, 5))
    heading = r.choice(
        ["HOSPITAL COURSE:", "Hospital Course by problem:", "Brief Hospital Course:"]
    )
    parts.append(heading + "\n" + "\n".join(course))
    meds = r.choice(["DISCHARGE MEDICATIONS:", "Discharge Meds:", "Medications on discharge:"])
    parts.append(meds + "\n{medlist}")
    to_snf = "{fac:snf}" in parts[0]
    parts.append(DS_DISPO[0] if to_snf else r.choice(DS_DISPO))
    fu = [r.choice(DS_FU[:2] + DS_FU[7:])] + _pick(r, DS_FU[2:7], r.randint(0, 2))
    heading = (
        ""
        if fu[0].startswith(("Follow-up appointments:", "Appointments:"))
        else (r.choice(["FOLLOW UP:", "Follow-up:", "Followup Instructions:"]) + "\n")
    )
    parts.append(heading + "\n".join(fu))
    parts.append(r.choice(DS_SIGN))
    return "\n\n".join(parts)


def compose_sw(ctx: NoteContext) -> str:
    """Compose a social work / case management note template."""
    r = ctx.rng
    parts = [r.choice(SW_HEAD)]
    intro = ([SW_BODY[0]] if r.random() < 0.6 else []) + [r.choice(SW_BODY[1:3])]
    rest = sorted(_pick(r, SW_BODY[3:], r.randint(3, 7)), key=SW_BODY.index)
    parts.append(" ".join(intro))
    parts.extend(rest)
    parts.append(r.choice(SW_ASSESS))
    parts.append(r.choice(SW_PLAN))
    if "{sig" not in parts[-1]:
        parts.append("{sig:" + r.choice(["sw", "cm"]) + "}")
    return "\n".join(parts) if r.random() < 0.6 else "\n\n".join(parts)


def compose_phone(ctx: NoteContext) -> str:
    """Compose a telephone encounter / addendum template."""
    r = ctx.rng
    parts = [r.choice(PH_HEAD)]
    body = _pick(r, PH_BODY, r.randint(1, 3))
    sep = r.choice(["\n", " ", "\n"])
    return parts[0] + "\n" + sep.join(body + [r.choice(PH_SIGN)])


COMPOSERS: dict[str, Callable[[NoteContext], str]] = {
    "icu": compose_icu,
    "ds": compose_ds,
    "hp": compose_ds,
    "sw": compose_sw,
    "phone": compose_phone,
}
STYLE_OF_KIND = {
    "icu-note": "icu",
    "discharge-summary": "ds",
    "social-work": "sw",
    "phone-note": "phone",
}


# ---------------------------------------------------------------------------
# Composition: header + body as paragraphs of segments
# ---------------------------------------------------------------------------


@dataclass
class Paragraph:
    """One source line of the note (wrapped when drawn)."""

    segs: list[Seg]
    bold: bool = False


@dataclass
class Note:
    """A composed note: paragraphs to draw and the facts the truth needs."""

    kind: str
    style: str
    ctx: NoteContext
    paragraphs: list[Paragraph]
    running_header: list[Seg]
    footer: str

    @property
    def segments(self) -> list[Seg]:
        """Every segment of the note, the running header included."""
        segs = [s for p in self.paragraphs for s in p.segs] + self.running_header
        return segs + [_txt(self.footer)]


def _paragraphs(segs: Iterable[Seg]) -> list[list[Seg]]:
    """Split segments at newlines (never inside an identifier) and trim each paragraph."""
    paras: list[list[Seg]] = [[]]
    for text, label, role in segs:
        if label is not None:
            assert text and text == text.strip() and "\n" not in text, text
            paras[-1].append((text, label, role))
            continue
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                paras.append([])
            if piece:
                paras[-1].append((piece, None, None))
    out: list[list[Seg]] = []
    for p in paras:
        p = [s for s in p if s[0]]
        if p and p[0][1] is None:
            p[0] = (p[0][0].lstrip(), None, None)
        if p and p[-1][1] is None:
            p[-1] = (p[-1][0].rstrip(), None, None)
        out.append([s for s in p if s[0]])
    return out


def _squeeze_blank(paras: list[list[Seg]]) -> list[list[Seg]]:
    out: list[list[Seg]] = []
    for p in paras:
        if not p and (not out or not out[-1]):
            continue
        out.append(p)
    while out and not out[-1]:
        out.pop()
    return out


HEADING = re.compile(r"^[A-Z][A-Za-z /&-]{2,40}:$")


def compose(kind: str, rng: random.Random) -> Note:
    """Compose one note of ``kind`` (text and identifiers only, nothing drawn)."""
    style = STYLE_OF_KIND[kind]
    if style == "ds" and rng.random() < 0.4:
        style = "hp"
    ctx = NoteContext(rng, style)
    header = _paragraphs(render(ctx, rng.choice(HEADERS)))
    body = _squeeze_blank(_paragraphs(render(ctx, COMPOSERS[style](ctx))))
    running = [s for p in _paragraphs(render(ctx, rng.choice(RUNNING_HEADERS))) for s in p]
    bold_header = rng.random() < 0.5
    bold_title = rng.random() < 0.5
    bold_headings = rng.random() < 0.5
    paragraphs = [Paragraph(p, bold=bold_header and i == 0) for i, p in enumerate(header)]
    paragraphs.append(Paragraph([]))
    for i, p in enumerate(body):
        text = "".join(s[0] for s in p)
        plain = all(s[1] is None for s in p)
        bold = (i == 0 and bold_title and len(text) < 70) or (
            bold_headings and plain and HEADING.match(text) is not None
        )
        paragraphs.append(Paragraph(p, bold=bold))
    return Note(kind, style, ctx, paragraphs, running, rng.choice(FOOTERS))


WORD = re.compile(r"[A-Za-z]+")


def word_clash(segs: Iterable[Seg]) -> set[str]:
    """Return the words that are part of a name or a city and also printed as ordinary words."""
    named: set[str] = set()
    plain: set[str] = set()
    for text, label, _role in segs:
        words = {w.lower() for w in WORD.findall(text)}
        if label in (PERSON, CITY):
            named |= {w for w in words if len(w) > 1}
        elif label is None:
            plain |= words
    return named & plain


def compose_document(kind: str, seed: int, index: int) -> tuple[Note, random.Random]:
    """Compose the note of document ``index``; redraw while a name word is also prose."""
    for attempt in range(64):
        rng = random.Random(f"notes/{seed}/{index}/{attempt}")
        note = compose(kind, rng)
        if not word_clash(note.segments):
            return note, rng
    return note, rng


# ---------------------------------------------------------------------------
# Layout: wrap at word boundaries, paginate
# ---------------------------------------------------------------------------


@dataclass
class Span:
    """An identifier inside one drawn line (offsets relative to the line)."""

    start: int
    end: int
    label: str
    role: str | None


@dataclass
class Line:
    """A drawn line of text."""

    text: str
    spans: list[Span] = field(default_factory=list)
    bold: bool = False
    align: str = "left"


@dataclass
class Fonts:
    """The house style of one document: typeface, size and spacing."""

    family: str
    regular: ImageFont.FreeTypeFont
    bold: ImageFont.FreeTypeFont
    line_h: int

    def of(self, bold: bool) -> ImageFont.FreeTypeFont:
        return self.bold if bold else self.regular


def wrap(para: Paragraph, font: ImageFont.FreeTypeFont, max_width: float) -> list[Line]:
    """Wrap a paragraph at spaces that are outside identifiers."""
    text = "".join(s[0] for s in para.segs)
    spans: list[Span] = []
    pos = 0
    for t, label, role in para.segs:
        if label is not None:
            spans.append(Span(pos, pos + len(t), label, role))
        pos += len(t)
    if not text:
        return [Line("", [], para.bold)]
    inside = [False] * len(text)
    for s in spans:
        for i in range(s.start, s.end):
            inside[i] = True
    words: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        while i < len(text) and text[i] == " " and not inside[i]:
            i += 1
        j = i
        while j < len(text) and not (text[j] == " " and not inside[j]):
            j += 1
        if j > i:
            words.append((i, j))
        i = j
    ranges: list[tuple[int, int]] = []
    ls, le = words[0]
    for ws, we in words[1:]:
        if font.getlength(text[ls:we]) <= max_width:
            le = we
        else:
            ranges.append((ls, le))
            ls, le = ws, we
    ranges.append((ls, le))
    lines = []
    for a, b in ranges:
        inner = [
            Span(s.start - a, s.end - a, s.label, s.role)
            for s in spans
            if a <= s.start and s.end <= b
        ]
        lines.append(Line(text[a:b], inner, para.bold))
    assert sum(len(ln.spans) for ln in lines) == len(spans), "identifier split across lines"
    return lines


def _line_of(segs: list[Seg], align: str = "left") -> Line:
    text = ""
    spans = []
    for t, label, role in segs:
        if label is not None:
            spans.append(Span(len(text), len(text) + len(t), label, role))
        text += t
    return Line(text, spans, False, align)


def _trim_blank(lines: list[Line]) -> list[Line]:
    a, b = 0, len(lines)
    while a < b and not lines[a].text:
        a += 1
    while b > a and not lines[b - 1].text:
        b -= 1
    return lines[a:b]


@dataclass
class Geometry:
    """Page geometry in pixels at 300 DPI."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right


def paginate(
    note: Note, fonts: Fonts, geo: Geometry, max_pages: int
) -> tuple[list[list[Line]], list[Line | None]]:
    """Return the body lines of each page (running header included) and each page's footer."""
    lines: list[Line] = []
    for p in note.paragraphs:
        lines.extend(wrap(p, fonts.of(p.bold), geo.text_width))
    per_page = (geo.height - geo.top - geo.bottom) // fonts.line_h
    pages = [_trim_blank(lines[:per_page])]
    rest = _trim_blank(lines[per_page:])
    if rest:
        # Page 2 starts with a running header and a blank line; anything beyond is cut.
        page2 = [_line_of(note.running_header), Line("")] + rest[: per_page - 2]
        pages.append(_trim_blank(page2))
    n_printed = len(pages)
    pages = pages[:max_pages]
    footers: list[Line | None] = []
    for i in range(len(pages)):
        if note.footer:
            text = note.footer.format(i=i + 1, n=n_printed)
            footers.append(Line(text, [], False, "center"))
        else:
            footers.append(None)
    return pages, footers


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_FILES = {
    "DejaVu Sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "DejaVu Serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "DejaVu Sans Mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    "DejaVu Sans Condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "Liberation Serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "Liberation Sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "Liberation Mono": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    "Liberation Sans Narrow": ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
}


@functools.cache
def available_fonts() -> dict[str, tuple[str, str]]:
    """Return the font families found on this machine: name -> (regular, bold) paths."""
    found: dict[str, tuple[str, str]] = {}
    for name, (reg, bold) in FONT_FILES.items():
        for d in FONT_DIRS:
            rp, bp = os.path.join(d, reg), os.path.join(d, bold)
            if os.path.exists(rp):
                found[name] = (rp, bp if os.path.exists(bp) else rp)
    if not found:
        # Another layout of fonts: ask fontconfig for any TrueType font.
        res = subprocess.run(
            ["fc-list", ":fontformat=TrueType", "file", "family"],
            capture_output=True,
            text=True,
            check=False,
        )
        for row in sorted(res.stdout.splitlines()):
            path, _, fam = row.partition(":")
            if path.endswith(".ttf"):
                found.setdefault(fam.split(",")[0].strip() or Path(path).stem, (path, path))
    if not found:
        raise RuntimeError("no TrueType font found (fc-list)")
    return found


def choose_fonts(rng: random.Random) -> Fonts:
    """Pick the typeface, size (10-12 pt) and line spacing of one document."""
    fonts = available_fonts()
    family = rng.choice(sorted(fonts))
    size_pt = rng.choice([10.0, 10.5, 11.0, 11.5, 12.0])
    if "Mono" in family:
        size_pt = min(size_pt, 11.0)  # monospaced text runs wide
    px = round(size_pt * DRAW_DPI / 72)
    reg, bold = fonts[family]
    line_h = round(px * rng.uniform(1.15, 1.45))
    return Fonts(family, ImageFont.truetype(reg, px), ImageFont.truetype(bold, px), line_h)


@dataclass
class DrawnPage:
    """A page drawn at 300 DPI with its text and identifier boxes."""

    image: np.ndarray
    text: str
    phi: list[dict[str, Any]]


def draw_page(
    lines: list[Line], footer: Line | None, fonts: Fonts, geo: Geometry, ink: int
) -> DrawnPage:
    """Draw one page and compute each identifier's glyph box."""
    img = Image.new("L", (geo.width, geo.height), 255)
    draw = ImageDraw.Draw(img)
    ascent, _descent = fonts.regular.getmetrics()
    placed: list[tuple[Line, float, float]] = []
    for i, ln in enumerate(lines):
        placed.append((ln, geo.left, geo.top + ascent + i * fonts.line_h))
    if footer is not None:
        w = fonts.regular.getlength(footer.text)
        placed.append((footer, (geo.width - w) / 2, geo.height - geo.bottom * 0.55))
    texts: list[str] = []
    phi: list[dict[str, Any]] = []
    offset = 0
    for ln, x, y in placed:
        font = fonts.of(ln.bold)
        if ln.text:
            draw.text((x, y), ln.text, font=font, fill=ink, anchor="ls")
        for s in ln.spans:
            piece = ln.text[s.start : s.end]
            pre = font.getlength(ln.text[: s.start])
            bl, bt, br, bb = font.getbbox(piece, anchor="ls")
            box = [x + pre + bl - 1, y + bt - 1, x + pre + br + 1, y + bb + 1]
            item: dict[str, Any] = {
                "type": s.label,
                "start": offset + s.start,
                "end": offset + s.end,
                "text": piece,
                "box": box,
            }
            if s.label == PERSON:
                item["role"] = s.role
            phi.append(item)
        texts.append(ln.text)
        offset += len(ln.text) + 1
    return DrawnPage(np.asarray(img, dtype=np.uint8).copy(), "\n".join(texts), phi)


# ---------------------------------------------------------------------------
# Degradation
# ---------------------------------------------------------------------------


def _smooth_field(g: np.random.Generator, h: int, w: int, lo: float, hi: float) -> np.ndarray:
    grid = g.uniform(lo, hi, size=(int(g.integers(4, 9)), int(g.integers(4, 9))))
    f = cv2.resize(grid.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(f, lo, hi)


def _scale_rotate(img: np.ndarray, dpi: int, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Downscale to ``dpi`` and rotate by ``angle`` degrees (counter-clockwise positive)."""
    s = dpi / DRAW_DPI
    h, w = round(img.shape[0] * s), round(img.shape[1] * s)
    out = img if s == 1 else cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    if angle:
        out = cv2.warpAffine(
            out,
            rot,
            (w, h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=255,
        )
    scale = np.array([[s, 0, 0], [0, s, 0], [0, 0, 1]], dtype=np.float64)
    return out, rot @ scale


def degrade_moderate(img: np.ndarray, g: np.random.Generator) -> np.ndarray:
    """Paper tone, mild blur and noise of an office scanner."""
    h, w = img.shape
    paper = _smooth_field(g, h, w, float(g.uniform(226, 240)), float(g.uniform(241, 252)))
    f = img.astype(np.float32) / 255.0 * paper
    f = cv2.GaussianBlur(f, (0, 0), float(g.uniform(0.5, 0.9)))
    f += g.normal(0, float(g.uniform(3, 7)), size=f.shape).astype(np.float32)
    return np.clip(f, 0, 255).astype(np.uint8)


def degrade_heavy(img: np.ndarray, g: np.random.Generator) -> np.ndarray:
    """Faded toner, fax-like fixed-threshold binarisation, speckle, drop-outs and streaks."""
    h, w = img.shape
    ink = (255.0 - img.astype(np.float32)) / 255.0
    ink *= _smooth_field(g, h, w, float(g.uniform(0.62, 0.8)), 1.0)
    ink *= g.uniform(0.8, 1.0, size=ink.shape).astype(np.float32)
    f = np.asarray(cv2.GaussianBlur(255.0 * (1.0 - ink), (0, 0), 0.5), dtype=np.float32)
    f += g.normal(0, 10, size=f.shape).astype(np.float32)
    out = np.where(f < float(g.uniform(165, 195)), 0, 255).astype(np.uint8)
    speckle = g.random(size=out.shape) < float(g.uniform(0.0003, 0.0015))
    out[speckle] = 0
    dropout = (g.random(size=out.shape) < 0.03) & (out == 0)
    out[dropout] = 255
    for _ in range(int(g.integers(0, 4))):
        y = int(g.integers(0, h - 2))
        x0 = int(g.integers(0, w // 2))
        x1 = int(g.integers(x0 + 1, w))
        out[y : y + int(g.integers(1, 3)), x0:x1] = 0 if g.random() < 0.5 else 255
    return out


def map_box(box: Sequence[float], m: np.ndarray, w: int, h: int) -> list[int]:
    """Map a 300 DPI box through the scale / rotation matrix; clip to the page."""
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64) @ m.T
    bx0 = min(max(math.floor(pts[:, 0].min()), 0), w - 1)
    by0 = min(max(math.floor(pts[:, 1].min()), 0), h - 1)
    bx1 = max(min(math.ceil(pts[:, 0].max()), w), bx0 + 1)
    by1 = max(min(math.ceil(pts[:, 1].max()), h), by0 + 1)
    return [int(bx0), int(by0), int(bx1), int(by1)]


# ---------------------------------------------------------------------------
# Saving (deterministic: no timestamps, deterministic PDF ids)
# ---------------------------------------------------------------------------


def _jpeg(img: np.ndarray, dpi: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=60, dpi=(dpi, dpi))
    return buf.getvalue()


def save_pdf(pages: list[np.ndarray], mode: str) -> bytes:
    """Write image pages (``gray`` Flate, ``jpeg`` DCT or ``bilevel`` 1-bit) as a US letter PDF."""
    pdf = pikepdf.Pdf.new()
    for img in pages:
        h, w = img.shape
        if mode == "jpeg":
            data, filt, bpc = _jpeg(img, 200), pikepdf.Name.DCTDecode, 8
        elif mode == "bilevel":
            bits = np.packbits(img >= 128, axis=1)
            data, filt, bpc = zlib.compress(bits.tobytes(), 6), pikepdf.Name.FlateDecode, 1
        else:
            data, filt, bpc = zlib.compress(img.tobytes(), 6), pikepdf.Name.FlateDecode, 8
        image = pikepdf.Stream(pdf, data)
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width, image.Height = w, h
        image.ColorSpace = pikepdf.Name.DeviceGray
        image.BitsPerComponent = bpc
        image.Filter = filt
        pw, ph = PAGE_W_IN * 72, PAGE_H_IN * 72
        content = pikepdf.Stream(pdf, f"q {pw:g} 0 0 {ph:g} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, pw, ph],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return buf.getvalue()


def encode(pages: list[np.ndarray], fmt: str, dpi: int, level: str) -> bytes:
    """Encode the degraded pages in the document's file format."""
    buf = io.BytesIO()
    if fmt == "png":
        Image.fromarray(pages[0]).save(buf, format="PNG", dpi=(dpi, dpi))
    elif fmt == "jpeg":
        buf.write(_jpeg(pages[0], dpi))
    elif fmt == "tiff":
        ims = [Image.fromarray(p).convert("1", dither=Image.Dither.NONE) for p in pages]
        ims[0].save(
            buf,
            format="TIFF",
            compression="group4",
            dpi=(dpi, dpi),
            save_all=True,
            append_images=ims[1:],
        )
    else:
        mode = {"clean": "gray", "moderate": "jpeg", "heavy": "bilevel"}[level]
        return save_pdf(pages, mode)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------
@functools.cache
def clinical_pattern() -> re.Pattern[str]:
    """The clinical-term matcher (built once)."""
    variants: set[str] = set()
    for t in DRUG_TERMS + PROBLEM_TERMS + ALLERGEN_TERMS + LAB_TERMS + DEVICE_TERMS:
        variants.add(t)
        if len(t) > 3:
            variants |= {t.lower(), t[0].upper() + t[1:], t.upper()}
    alts = "|".join(re.escape(v) for v in sorted(variants, key=lambda v: (-len(v), v)))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alts})(?![A-Za-z0-9])")


def clinical_terms(pages: Sequence[DrawnPage]) -> list[str]:
    """Clinical words as printed outside identifiers, in order of first appearance."""
    seen: list[str] = []
    pat = clinical_pattern()
    for page in pages:
        for m in pat.finditer(page.text):
            if any(p["start"] < m.end() and m.start() < p["end"] for p in page.phi):
                continue
            if m.group(0) not in seen:
                seen.append(m.group(0))
    return seen


def level_plan(n: int, seed: int) -> list[str]:
    """Degradation levels for ``n`` documents: about 40/35/25 %, shuffled per seed."""
    quotas = [n * s for s in LEVEL_SHARE]
    counts = [math.floor(q) for q in quotas]
    order = sorted(range(3), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    plan = [lvl for lvl, c in zip(LEVELS, counts, strict=True) for _ in range(c)]
    random.Random(f"notes-levels/{seed}").shuffle(plan)
    return plan


@dataclass
class Document:
    """A finished document: the file's bytes and its truth."""

    name: str
    ext: str
    data: bytes
    truth: dict[str, Any]


def make_document(index: int, seed: int, kind: str, level: str) -> Document:
    """Compose, draw, degrade and encode one document."""
    name = f"nts{index:03d}-{kind}-{level}"
    note, rng = compose_document(kind, seed, index)
    fmt = rng.choice(FORMATS[level])
    max_pages = 1 if fmt in ("png", "jpeg") else 2
    fonts = choose_fonts(rng)
    w, h = round(PAGE_W_IN * DRAW_DPI), round(PAGE_H_IN * DRAW_DPI)
    geo = Geometry(
        w,
        h,
        left=rng.randint(255, 330),
        right=rng.randint(255, 330),
        top=rng.randint(240, 320),
        bottom=rng.randint(255, 320),
    )
    ink = rng.randint(0, 40)
    lines, footers = paginate(note, fonts, geo, max_pages)
    drawn = [draw_page(ln, ft, fonts, geo, ink) for ln, ft in zip(lines, footers, strict=True)]
    g = np.random.default_rng(rng.getrandbits(63))
    dpi = {"clean": 300, "moderate": 200, "heavy": rng.choice([150, 200])}[level]
    images: list[np.ndarray] = []
    pages: list[dict[str, Any]] = []
    for i, page in enumerate(drawn):
        if level == "clean":
            angle = 0.0
        else:
            lo, hi = (0.5, 2.0) if level == "moderate" else (0.3, 3.0)
            angle = round(rng.uniform(lo, hi) * rng.choice([-1, 1]), 2)
        img, m = _scale_rotate(page.image, dpi, angle)
        if level == "moderate":
            img = degrade_moderate(img, g)
        elif level == "heavy":
            img = degrade_heavy(img, g)
        ph, pw = img.shape
        phi = []
        for item in page.phi:
            assert page.text[item["start"] : item["end"]] == item["text"], item
            phi.append({**item, "box": map_box(item["box"], m, pw, ph)})
        images.append(img)
        pages.append(
            {
                "index": i,
                "width": pw,
                "height": ph,
                "rotation": 0,
                "skew": angle,
                "text": page.text,
                "phi": phi,
            }
        )
    ctx = note.ctx
    truth = {
        "name": name,
        "file": f"scans/{name}.{EXTENSIONS[fmt]}",
        "family": "notes",
        "kind": kind,
        "degradation": level,
        "dpi": dpi,
        "format": fmt,
        "font": fonts.family,
        "patient": {
            "family": ctx.pt.last,
            "given": [ctx.pt.first],
            "mrn": mrn_of(ctx),
            "birth_date": ctx.dob.isoformat(),
            "gender": "male" if ctx.pt.sex == "M" else "female",
        },
        "document_date": ctx.day("doc").isoformat(),
        "observations": [],
        "clinical_terms": clinical_terms(drawn),
        "pages": pages,
    }
    return Document(name, EXTENSIONS[fmt], encode(images, fmt, dpi, level), truth)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def generate(out: Path, n: int, seed: int) -> list[str]:
    """Write ``n`` notes under ``out/scans`` and ``out/truth``; return the document names."""
    out = Path(out)
    (out / "scans").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    names = []
    for i, level in enumerate(level_plan(n, seed)):
        doc = make_document(i, seed, KINDS[i % len(KINDS)], level)
        _write(out / "scans" / f"{doc.name}.{doc.ext}", doc.data)
        truth = json.dumps(doc.truth, indent=2, ensure_ascii=False) + "\n"
        _write(out / "truth" / f"{doc.name}.json", truth.encode("utf-8"))
        names.append(doc.name)
    return names


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m samples.families.notes --n 12 --seed 1 --out DIR``."""
    ap = argparse.ArgumentParser(description="Synthetic clinical prose notes on scanned pages.")
    ap.add_argument("--n", type=int, default=12, help="number of documents")
    ap.add_argument("--seed", type=int, default=1, help="random seed")
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    a = ap.parse_args(argv)
    names = generate(a.out, a.n, a.seed)
    print(f"{len(names)} documents -> {a.out}")


if __name__ == "__main__":
    main()
