"""The staff pages' words, by language. Finnish is the default; a Swedish or English page needs
only its own table here (a missing label falls back to Finnish)."""

from __future__ import annotations

import re
from typing import Final

FI: Final = {
    "app": "Suostumukset ja KOSKI-siirto",
    "skip": "Siirry sisältöön",
    "login": "Kirjaudu sisään",
    "logout": "Kirjaudu ulos",
    "username": "Käyttäjätunnus",
    "password": "Salasana",
    "login_failed": "Väärä käyttäjätunnus tai salasana.",
    "login_throttled": (
        "Liian monta epäonnistunutta kirjautumisyritystä. Odota hetki ja yritä sitten "
        "uudelleen. Jos salasana on unohtunut, pyydä ylläpitoa asettamaan uusi."
    ),
    "logged_in_as": "Kirjautuneena",
    "courses": "Kurssit",
    "queues": "Työjonot (rq-dashboard)",
    "new_course": "Uusi kurssi",
    "edit_course": "Muokkaa kurssia",
    "no_courses": "Kursseja ei ole vielä. Luo ensimmäinen kurssi.",
    "unknown_courses": "Suostumukset kursseille, joita ei ole vielä määritelty",
    "unknown_courses_hint": (
        "Suostumus on otettu vastaan. Kun kurssi luodaan tällä tunnuksella ja sen arvosanat "
        "tuodaan, suostumus liitetään siihen."
    ),
    "signed_at": "Allekirjoitettu",
    "save": "Tallenna",
    "cancel": "Peruuta",
    "saved": "Kurssi tallennettu.",
    "fix_errors": "Korjaa merkityt kentät. Mitään ei tallennettu.",
    "code": "Kurssin tunnus",
    "code_taken": "on jo käytössä toisella kurssilla",
    "code_hint": "Kirjaimia, numeroita, piste, viiva tai alaviiva; ei muutu myöhemmin.",
    "name.fi": "Nimi suomeksi",
    "name.sv": "Nimi ruotsiksi",
    "name.en": "Nimi englanniksi",
    "opintokokonaisuus": "Opintokokonaisuus (ePerusteet-koodi)",
    "opintokokonaisuus_hint": "Neljä numeroa, esimerkiksi 1138.",
    "laajuus_op": "Kurssin laajuus (op)",
    "end_date": "Päättymispäivä",
    "oppilaitos_oid": "Oppilaitoksen OID",
    "toimipiste_oid": "Toimipisteen OID",
    "toimipiste_hint": "Tyhjä: sama kuin oppilaitos.",
    "language": "Suorituskieli",
    "grading_scale": "Arviointiasteikko",
    "scale.hyvaksytty-hylatty": "hyväksytty / hylätty",
    "scale.1-10": "1–10",
    "lang.FI": "suomi",
    "lang.SV": "ruotsi",
    "lang.EN": "englanti",
    "confirmer": "Vahvistaja",
    "confirmer.name": "Vahvistajan nimi",
    "confirmer.title": "Vahvistajan titteli",
    "parts": "Osasuoritukset",
    "parts_hint": "Tyhjät rivit jätetään pois. Ilman osia kurssi on itse ainoa osansa.",
    "part": "Osa",
    "part.code": "Tunnus",
    "part.name": "Nimi",
    "part.description": "Kuvaus",
    "part.laajuus_op": "Laajuus (op)",
    "optional": "valinnainen",
    "ends": "Päättyy",
    "extent": "Laajuus",
    "participants": "Osallistujat",
    "upload_results": "Tuo arvosanat",
    "upload_hint": (
        "CSV (otsikkorivi hetu,grade,graded_on[,ended_on][,status][,first_names,last_name]"
        "[,part:KOODI…]) tai JSON. ended_on on päivä, jona osallistuja lopetti kurssin "
        "(oletus: kurssin päättymispäivä). Näet muutokset ennen kuin mitään tallennetaan."
    ),
    "results_file": "Tulostiedosto",
    "check_file": "Tarkista tiedosto",
    "preview": "Tarkista tuonti",
    "preview_ok": "Tiedosto on kunnossa. Tuonti tekisi seuraavat muutokset:",
    "preview_errors": "Tiedostossa on virheitä. Mitään ei tuotu.",
    "row": "Rivi",
    "field": "Kenttä",
    "problem": "Ongelma",
    "new": "uusia",
    "changed": "muuttuneita",
    "unchanged": "ennallaan",
    "confirm_import": "Vahvista tuonti",
    "duplicates": (
        "Huomio: KOSKI ei ota vastaan näiden rivien suorituksia, koska samalla henkilöllä on jo "
        "KOSKIssa suoritus samasta oppilaitoksesta, samalla opintokokonaisuudella ja samalla "
        "päivällä. Rivit tuodaan silti; korjaa toinen suorituksista (esimerkiksi päättymispäivä), "
        "niin korjattu lähetetään."
    ),
    "duplicate_row": "sama opintokokonaisuus ja päivä kuin kurssilla {code}",
    "collides_with": (
        "KOSKI ei hyväksynyt: sama opintokokonaisuus ja päivä kuin saman henkilön suorituksella "
        "kurssilla {code}. Korjaa toisen suorituksen päättymispäivä tai opintokokonaisuus."
    ),
    "duplicate_elsewhere": (
        "KOSKI ei hyväksynyt: henkilöllä on jo KOSKIssa suoritus samalla opintokokonaisuudella "
        "ja päivällä (ei tässä järjestelmässä). Tarkista päättymispäivä."
    ),
    "imported": (
        "Tuotu: {changed} uutta tai muuttunutta, {unchanged} ennallaan. Siirrot etenevät taustalla."
    ),
    "upload_expired": "Tarkistettua tiedostoa ei enää löydy. Lataa se uudelleen.",
    "no_file": "Valitse tiedosto.",
    "status": "Tila",
    "signing": "Suostumusten allekirjoitus",
    "signing_hint": (
        "CSV tai JSON: hetu, first_names, last_name, email tai phone; alaikäiselle lisäksi "
        "guardian_hetu, guardian_first_names, guardian_last_name ja guardian_email tai "
        "guardian_phone. Visma Sign lähettää kutsun; ilman yhteystietoa anna linkki itse."
    ),
    "enrolment_file": "Osallistujaluettelo",
    "send_invitations": "Lähetä allekirjoituskutsut",
    "enrolled": "Kutsuttu {new} uutta; {known} oli kutsuttu jo aiemmin.",
    "signer": "Allekirjoittaja",
    "signer.self": "osallistuja itse",
    "signer.guardian": "huoltaja",
    "signing_link": "Allekirjoituslinkki",
    "enrolment.new": "kutsua valmistellaan",
    "enrolment.invited": "kutsuttu, odottaa allekirjoitusta",
    "enrolment.signed": "allekirjoitettu",
    "enrolment.cancelled": "ei allekirjoitettu",
    "outcome.expired": "vanhentui",
    "outcome.cancelled": "peruttu",
    "outcome.deleted": "poistettu",
    "no_enrolments": "Ketään ei ole vielä kutsuttu allekirjoittamaan.",
    "refresh": "Päivitä",
    "auto_refresh": "Sivu päivittyy itsestään, kun siirtoja on kesken.",
    "no_results": "Kurssilla ei ole vielä suostumuksia eikä arvosanoja.",
    "participant": "Osallistuja",
    "consent": "Suostumus",
    "result": "Tulos",
    "koski": "KOSKI",
    "actions": "Toiminnot",
    "find_person": "Hae henkilö",
    "hetu": "Henkilötunnus",
    "find": "Hae",
    "show_all": "Näytä kaikki",
    "person_not_found": "Henkilöllä ei ole tällä kurssilla suostumusta eikä tulosta.",
    "bad_hetu": "Henkilötunnus ei kelpaa.",
    "consent.none": "ei suostumusta",
    "consent.valid.self": "allekirjoittanut itse",
    "consent.valid.guardian": "huoltaja allekirjoittanut",
    "consent.rejected": "hylätty",
    "consent.cancelled": "peruttu",
    "consent.revoked": "peruutettu (OPH)",
    "consent.signed_after_end": "allekirjoitettu kurssin päättymisen jälkeen",
    "result.none": "ei vielä arvioitu",
    "result.completed": "suoritettu",
    "result.interrupted": "keskeytynyt",
    "state.not_eligible": "ei lähetetä",
    "state.pending": "jonossa",
    "state.in_flight": "lähetetään",
    "state.sent": "lähetetty",
    "state.parked": "pysäytetty, yritykset käytetty",
    "state.failed": "KOSKI hylkäsi",
    "state.revoked": "ei lähetetä (suostumus peruttu)",
    "state.deleted": (
        "poistunut KOSKIsta: osallistuja perui suostumuksen Oma Opintopolussa tai tieto"
        " poistettiin KOSKIssa; ei lähetetä uudelleen itsestään"
    ),
    "state.invalidated": "mitätöity",
    "state.attention": "KOSKIssa oleva suoritus ei enää vastaa tietoja – tarkista ja päätä",
    "state.withdrawn": "ei lähetetä (tulos muuttui)",
    "oppilaitos_locked": (
        "Oppilaitosta ei voi vaihtaa, koska kurssin suorituksia on jo KOSKIssa: KOSKI ei "
        "hyväksy oppilaitoksen vaihtoa. Pidä oppilaitos ennallaan, tai perusta toiselle "
        "oppilaitokselle oma kurssi."
    ),
    "attention_hint": (
        "Suoritus on yhä KOSKIssa. Jos se on väärä, mitätöi se; jos tiedot korjataan, "
        "korjattu suoritus lähetetään."
    ),
    "binding.pending": "odottaa käsittelyä",
    "why.no_consent": "ei suostumusta",
    "why.no_result": "ei vielä arvioitu: tuo osallistujan arvosana",
    "why.consent_rejected": "suostumus hylätty",
    "why.consent_cancelled": "suostumus peruttu",
    "why.consent_revoked": "suostumus peruutettu",
    "why.not_passed": "ei hyväksytty: KOSKIin lähetetään vain hyväksytty suoritus",
    "why.no_assessed_part": (
        "ei yhtään hyväksyttyä osaa: keskeytyneestä lähetetään vain hyväksytyt osat"
    ),
    "why.single_part_interrupted": (
        "keskeytynyt, mutta kurssissa on vain yksi osa: keskeytyneenä KOSKIin kirjataan vain "
        "kurssi, jossa on vähintään kaksi osaa"
    ),
    "why.waiting_for_end": "lähetetään KOSKIin itsestään päättymispäivänä",
    "result.ended_on": "päättyi",
    "attempts": "yrityksiä",
    "retry": "Yritä uudelleen",
    "retried": "Siirto laitettu uudelleen jonoon.",
    "not_retried": "Tätä siirtoa ei voi yrittää uudelleen.",
    "send_again": "Lähetä uudelleen",
    "sent_again": "Suoritus laitettu jonoon: KOSKIin lähetetään uusi opiskeluoikeus.",
    "not_sent_again": "Vain mitätöidyn suorituksen voi lähettää uudelleen.",
    "invalidate": "Mitätöi",
    "invalidate_title": "Mitätöi KOSKIin lähetetty suoritus",
    "invalidate_warning": (
        "KOSKI poistaa mitätöidyn opiskeluoikeuden. Korjattu tulos lähetetään myöhemmin "
        "uutena. Tätä ei voi perua."
    ),
    "invalidate_reason": "Syy",
    "reason.wrong_person": "väärä henkilö",
    "reason.wrong_result": "virheellinen tulos",
    "reason.no_consent": "lähetetty ilman suostumusta",
    "reason.sent_twice": "lähetetty kahdesti",
    "reason.other": "muu syy",
    "confirm_invalidate": "Vahvista mitätöinti",
    "invalidated": "Suoritus mitätöity KOSKIssa.",
    "invalidate_failed": "KOSKI ei hyväksynyt mitätöintiä; katso virhe rivillä.",
    "revoke": "Kirjaa peruutus",
    "revoke_title": "Kirjaa suostumuksen peruutus",
    "revoke_warning": (
        "OPH on ilmoittanut, että osallistuja peruutti suostumuksensa. Tälle suostumukselle ei "
        "lähetetä enää mitään. Mitään ei poisteta."
    ),
    "notified_on": "Päivä, jona OPH ilmoitti",
    "confirm_revoke": "Vahvista peruutus",
    "revoked": "Peruutus kirjattu; mitään ei enää lähetetä.",
    "need_reason": "Valitse syy.",
    "need_date": "Anna päivä muodossa VVVV-KK-PP, ei tulevaisuudessa.",
    "forbidden": "Sinulla ei ole oikeutta tähän.",
    "not_found": "Sivua ei löydy.",
    "csrf": "Lomake vanheni. Lataa sivu uudelleen ja yritä sitten uudelleen.",
    "error": "Virhe",
    "too_large": "Tiedosto on liian suuri (enintään 10 MiB).",
    "incomplete": "Lähetys katkesi kesken, eikä mitään tallennettu. Lähetä se uudelleen.",
    "back": "Takaisin",
    "person_title": "Henkilön tiedot",
    "person_hint": (
        "Anna henkilötunnus: näet kaiken, mitä rekisterissä on henkilöstä, tai lataat sen "
        "tiedostona (tarkastusoikeus). Jokainen haku kirjataan nimelläsi."
    ),
    "person_identity": "Henkilötunnus",
    "person_show": "Näytä",
    "person_pdf": "Lataa PDF",
    "person_json": "Lataa JSON",
    "person_nothing": "Rekisterissä ei ole tietoja tästä henkilöstä.",
    "identified_by_hetu": (
        "Tämä rekisteri tunnistaa henkilöt henkilötunnuksella: oppijanumerolla ei löydy mitään."
    ),
    "person.consents": "Suostumukset",
    "person.signed_for_others": "Huoltajana allekirjoitetut suostumukset",
    "person.results": "Suoritukset",
    "person.grade": "Arvosana",
    "person.binding": "Käsittely",
    "person.removed_at": "poistettu",
    "person.koski": "KOSKI-siirrot",
    "person.revocations": "Peruutukset",
    "person.enrolments": "Allekirjoituspyynnöt",
    "person.audit": "Lokitapahtumat",
    "remove_result": "Poista suoritus",
    "removal_reason": "Poiston syy",
    "removal.wrong_person": "väärä henkilö (virheellinen henkilötunnus tiedostossa)",
    "removal.person_asked": "henkilö pyysi poistoa",
    "why.removed": "poistettu pyynnöstä: ei lähetetä",
    "result_deleted": "Suoritus poistettu; siitä ei ollut lähetetty mitään KOSKIin.",
    "result_removed": "Suoritus poistettu; sen KOSKI-historia säilyy, mitään ei lähetetä.",
    "result_removed_live": (
        "Suoritus poistettu, mutta se on yhä KOSKIssa: mitätöi se kurssin sivulla."
    ),
    "result_being_sent": "Suoritusta lähetetään juuri KOSKIin. Yritä hetken päästä uudelleen.",
    "delete_contact": "Poista yhteystiedot",
    "contact_deleted": "Yhteystiedot poistettu.",
}

LANGUAGES: Final = {"fi": FI}

# The shared checks' reasons (schemas, course and results checks) in Finnish.
REASONS_FI: Final = {
    "is required": "on pakollinen",
    "has the wrong type": "ei ole oikeaa muotoa (luku tai teksti)",
    "is not one of the allowed values": "ei ole sallittu arvo",
    "has an invalid format": "on väärää muotoa",
    "is too short": "on liian lyhyt",
    "is too long": "on liian pitkä",
    "must be greater than zero": "pitää olla suurempi kuin nolla",
    "is too large": "on liian suuri",
    "has too many items": "sisältää liikaa rivejä",
    "is not a valid date": "ei ole kelvollinen päivämäärä (VVVV-KK-PP)",
    "has more than two decimals": "sisältää yli kaksi desimaalia",
    "is not allowed": "ei ole sallittu",
    "is not UTF-8": "ei ole UTF-8-muodossa",
    "is not a number": "ei ole luku",
    "is not a known column": "ei ole tunnettu sarake",
    "is not a known field": "ei ole tunnettu kenttä",
    "repeats an earlier column": "toistaa aiemman sarakkeen",
    "is beyond the header": "on otsikkorivin sarakkeiden ulkopuolella",
    "is missing from the header": "puuttuu otsikkoriviltä",
    "has no rows": "ei sisällä yhtään riviä",
    "body is not UTF-8": "ei ole UTF-8-muodossa",
    "duplicate object key": "sisältää saman avaimen kahdesti",
    "JSON nested too deeply": "JSON on sisäkkäin liian monella tasolla",
    "a string holds a NUL or a lone surrogate": (
        "tekstissä on NUL-merkki tai pariton UTF-16-puolisko"
    ),
    "a number is too large": "sisältää liian suuren luvun",
    'must be a list of results or {"results": [...]}': (
        'pitää olla luettelo tuloksista tai {"results": [...]}'
    ),
    "is before 2000": "on ennen vuotta 2000",
    "must be text of at most 200 characters": "saa olla enintään 200 merkkiä",
    "must be completed or interrupted": "pitää olla completed tai interrupted",
    "must be hyväksytty or hylätty": "pitää olla hyväksytty tai hylätty",
    "must be 1-10 or hylätty": "pitää olla 1–10 tai hylätty",
    "must be a date YYYY-MM-DD": "pitää olla päivämäärä muodossa VVVV-KK-PP",
    "is in the future": "on tulevaisuudessa",
    "must map part codes to grades": "pitää antaa arvosana kullekin osan tunnukselle",
    "is not a part of this course": "ei ole tämän kurssin osa",
    "malformed": "on väärää muotoa",
    "not a real birth date": "syntymäaika ei ole todellinen päivä",
    "wrong check character": "tarkistusmerkki on väärä",
    "temporary number (900-999) not allowed": "väliaikainen tunnus (900–999) ei käy",
    "birth date in the future": "syntymäaika on tulevaisuudessa",
    "individual number below 002": "yksilönumero on alle 002",
    "is required for a participant under 18": "tarvitaan alle 18-vuotiaalle osallistujalle",
    "is only for a participant under 18": "annetaan vain alle 18-vuotiaalle osallistujalle",
    "must be another, adult person": "pitää olla toinen, täysi-ikäinen henkilö",
    "is not an e-mail address": "ei ole sähköpostiosoite",
    "must be in international form, e.g. +358401234567": (
        "pitää olla kansainvälisessä muodossa, esim. +358401234567"
    ),
    "is required (at most 200 characters)": "on pakollinen (enintään 200 merkkiä)",
    "must not look like a henkilötunnus": "ei saa näyttää henkilötunnukselta",
    "must not hold a henkilötunnus": "ei saa sisältää henkilötunnusta",
}


def text(key: str, language: str = "fi") -> str:
    """The label ``key`` in ``language``, falling back to Finnish, then to the key itself."""
    return LANGUAGES.get(language, FI).get(key) or FI.get(key, key)


_PATTERNS_FI: Final = (
    (
        re.compile(r"part extents add up to ([0-9.]+) op, not the course's ([0-9.]+) op"),
        "osien laajuudet ({0} op) eivät vastaa kurssin laajuutta ({1} op)",
    ),
    (re.compile(r"part code (.+) appears twice"), "osan tunnus {0} on kahdesti"),
    (re.compile(r"same person as row (\d+)"), "sama henkilö kuin rivillä {0}"),
    (re.compile(r"has more than (\d+) rows"), "sisältää yli {0} riviä"),
    (
        re.compile(r"malformed JSON at line (\d+) column (\d+)"),
        "JSON on rikki rivillä {0}, sarakkeessa {1}",
    ),
    (re.compile(r"an integer has more than (\d+) digits"), "sisältää yli {0}-numeroisen luvun"),
    (re.compile(r"JSON nested deeper than (\d+) levels"), "JSON on sisäkkäin yli {0} tasoa"),
)


_FIELDS_FI: Final = (
    (re.compile(r"\(file\)"), "(tiedosto)"),
    (re.compile(r"column (\d+)"), "sarake {0}"),
    (re.compile(r"key (\d+)"), "avain {0}"),
    (re.compile(r"parts key (\d+)"), "osien avain {0}"),
)


def field_label(english: str) -> str:
    """A field an import error names by position (``column 3``) in Finnish; others as they are."""
    for pattern, finnish in _FIELDS_FI:
        if found := pattern.fullmatch(english):
            return finnish.format(*found.groups())
    return english


def reason(english: str) -> str:
    """A shared check's reason in Finnish where it is known, else as the check words it."""
    if english in REASONS_FI:
        return REASONS_FI[english]
    for pattern, finnish in _PATTERNS_FI:
        if found := pattern.fullmatch(english):
            return finnish.format(*(_decimal_comma(g) for g in found.groups()))
    return english


def _decimal_comma(number: str) -> str:
    """``1.50`` → ``1,5`` (Finnish decimals); other text as it is."""
    if re.fullmatch(r"[0-9]+\.[0-9]+", number):
        number = number.rstrip("0").rstrip(".")
    return number.replace(".", ",")
