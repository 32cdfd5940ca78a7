"""The staff pages' words, by language. Finnish is the default; a Swedish or English page needs
only its own table here (a missing label falls back to Finnish)."""

from __future__ import annotations

import re
from typing import Final

from flask import g, has_app_context

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
        "XLSX, CSV (puolipiste- tai pilkkuerotin; otsikkorivi hetu;grade;graded_on[;ended_on]"
        "[;status][;first_names;last_name][;part:KOODI…]) tai JSON; päivät muodossa 1.12.2026 "
        "tai 2026-12-01. Mallipohjassa on kurssin sarakkeet. "
        "ended_on on päivä, jona osallistuja lopetti kurssin "
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
    "template": "Mallipohja",
    "row_hint": (
        "Rivit lasketaan otsikkorivin jälkeen tyhjiä rivejä ohittaen: rivi 1 on ensimmäinen "
        "täytetty rivi otsikon alla (taulukossa yleensä rivi 2). Rivi 0 on koko tiedosto tai "
        "sen otsikkorivi."
    ),
    "template.data": "Tiedot",
    "template.notes": "Ohje",
    "enrolment_preview": "Tarkista osallistujaluettelo",
    "enrolment_preview_ok": (
        "Tiedosto on kunnossa: {count} riviä. Vahvistus kutsuu heidät allekirjoittamaan "
        "(jo aiemmin kutsuttuja ei kutsuta uudelleen). Ketään ei ole vielä kutsuttu."
    ),
    "invitation": "Kutsu",
    "invitation.sent": "lähetetään sähköpostilla tai tekstiviestillä",
    "invitation.link_only": "ei yhteystietoa: anna allekirjoituslinkki itse",
    "confirm_enrolment": "Vahvista ja kutsu",
    "column.hetu": "Henkilötunnus, esimerkiksi 010190-123A",
    "column.grade": "Arvosana: hyväksytty tai hylätty, tai 1–10 kurssin asteikon mukaan",
    "column.graded_on": "Arviointipäivä, esimerkiksi 1.12.2026 (tai 2026-12-01)",
    "column.ended_on": "Päivä, jona osallistuja lopetti (tyhjä: kurssin päättymispäivä)",
    "column.status": "completed (suoritettu, oletus) tai interrupted (keskeytynyt)",
    "column.first_names": "Etunimet (valinnainen)",
    "column.last_name": "Sukunimi (valinnainen)",
    "column.email": "Sähköposti kutsua varten",
    "column.phone": "Puhelinnumero kansainvälisessä muodossa, esimerkiksi +358401234567",
    "column.guardian_hetu": "Alaikäisen huoltajan henkilötunnus",
    "column.guardian_first_names": "Huoltajan etunimet",
    "column.guardian_last_name": "Huoltajan sukunimi",
    "column.guardian_email": "Huoltajan sähköposti",
    "column.guardian_phone": "Huoltajan puhelinnumero",
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
        "XLSX, CSV tai JSON: hetu, first_names, last_name, email tai phone; alaikäiselle lisäksi "
        "guardian_hetu, guardian_first_names, guardian_last_name ja guardian_email tai "
        "guardian_phone. Visma Sign lähettää kutsun; ilman yhteystietoa anna linkki itse. "
        "Näet kutsuttavat ennen kuin ketään kutsutaan."
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
    "page_language": "Sivujen kieli",
    "choose_language": "Vaihda kieli",
    "bad_language": "Sivuja ei ole tällä kielellä. Valitse suomi tai ruotsi.",
    "unit.op": "op",
    # Exports (course export, yearly summary) and the signed consent form.
    "export": "Vie taulukkona",
    "export_hint": (
        "Osallistujat, suostumukset, tulokset ja KOSKI-tila. Henkilötunnukset peitetään; "
        "täydet henkilötunnukset ja nimet sisältävä lataus kirjataan nimelläsi."
    ),
    "export_csv": "CSV (Excel)",
    "export_xlsx": "XLSX",
    "export_full_csv": "CSV täysin henkilötunnuksin",
    "export_full_xlsx": "XLSX täysin henkilötunnuksin",
    "export.eligible": "lähetetään KOSKIin",
    "export.col.hetu": "Henkilötunnus",
    "export.col.name": "Nimi",
    "export.col.consent": "Suostumus",
    "export.col.signer": "Allekirjoittaja",
    "export.col.signed_at": "Allekirjoitettu",
    "export.col.grade": "Arvosana",
    "export.col.status": "Suoritus",
    "export.col.graded_on": "Arvioitu",
    "export.col.ended_on": "Päättyi",
    "export.col.binding": "Käsittely",
    "export.col.binding_words": "Käsittelyn tulos",
    "export.col.koski_state": "KOSKI-tila",
    "export.col.oid": "Opiskeluoikeuden OID",
    "export.col.versionumero": "Versionumero",
    "export.col.sent_at": "Lähetetty",
    "export.col.error_keys": "KOSKIn virheavaimet",
    "export.col.error_words": "KOSKIn virhe",
    "export.sum.opintokokonaisuus": "Opintokokonaisuus",
    "export.sum.sent": "KOSKIssa",
    "export.sum.interrupted": "joista keskeytyneitä",
    "export.sum.invalidated": "Mitätöity vuoden aikana",
    "export.summary_sheet": "Yhteenveto",
    "summary": "Vuosiyhteenveto",
    "summary_title": "Vuosiyhteenveto opintokokonaisuuksittain",
    "summary_hint": (
        "Suoritus kuuluu vuoteen, jona osallistuja päätti kurssin (KOSKIin kirjattu päivä). "
        "KOSKIssa: vuoden suoritukset, jotka ovat nyt KOSKIssa; mitätöidyt: suoritukset, jotka "
        "mitätöitiin vuoden aikana. Vain lukumääriä, ei henkilötietoja."
    ),
    "summary_year": "Vuosi",
    "summary_show": "Näytä",
    "summary_none": "Tälle vuodelle ei ole suorituksia.",
    "bad_year": "Anna vuosi väliltä 2000–2099.",
    "bad_format": "Valitse muoto csv tai xlsx.",
    "signed_form": "Suostumuslomake",
    "signed_form_view": "Näytä lomake",
    "signed_form_download": "Lataa lomake",
    # The attention list (the front page) and retrying in bulk.
    "attention": "Huomioitavat",
    "attention_none": "Mikään ei odota toimiasi: kaikki on kunnossa.",
    "attention_summary": "{total} asiaa odottaa toimia, joista {unseen} katsomatta.",
    "attention.kind.failed": "KOSKI hylkäsi",
    "attention.kind.parked": "Pysäytetty, yritykset käytetty",
    "attention.kind.gone": "Ei enää KOSKIssa",
    "attention.kind.unsupported": "KOSKIssa, mutta tiedot eivät enää tue suoritusta",
    "attention.kind.rejected_consent": "Hylätyt suostumukset",
    "attention.kind.unknown_course": "Suostumukset kursseille, joita ei ole määritelty",
    "attention.kind.waiting_for_end": "Tulokset odottavat kurssin päättymistä",
    "attention.kind.unconfirmed_import": "Vahvistamatta jääneet tuonnit",
    "attention.hint.failed": "Korjaa tiedot KOSKIn virheen mukaan ja yritä uudelleen.",
    "attention.hint.parked": "KOSKI ei vastannut. Kun KOSKI toimii taas, yritä uudelleen.",
    "attention.hint.gone": (
        "Jos osallistuja perui suostumuksensa, kirjaa peruutus; muuten selvitä asia KOSKIn kanssa."
    ),
    "attention.hint.unsupported": "Tarkista suoritus: korjaa tulos tai mitätöi suoritus.",
    "attention.hint.rejected_consent": (
        "Pyydä oikeaa allekirjoittajaa (alaikäiselle huoltajaa) allekirjoittamaan uudelleen."
    ),
    "attention.hint.unknown_course": "Määrittele kurssi tällä koodilla.",
    "attention.hint.waiting_for_end": (
        "Tulokset lähtevät KOSKIin itsestään päättymispäivänä; toimia tarvitaan vain, jos päivä"
        " on väärä."
    ),
    "attention.hint.unconfirmed_import": "Lataa tiedosto uudelleen ja vahvista tuonti.",
    "attention.col.course": "Kurssi",
    "attention.col.who": "Osallistuja",
    "attention.col.what": "Mitä",
    "attention.col.waiting": "Odottanut",
    "attention.col.actions": "Toimet",
    "attention.fix": "Korjaa",
    "attention.mark_seen": "Merkitse nähdyksi",
    "attention.seen": "nähty",
    "attention.marked": "Merkitty nähdyksi: näkyy listalla, kunnes asia on korjattu.",
    "attention.gone_meanwhile": "Asia on jo korjattu tai muuttunut: katso lista uudelleen.",
    "attention.records": "{n} kpl",
    "attention.days": "{n} pv",
    "attention.hours": "{n} h",
    "attention.purpose.results": "tulokset",
    "attention.purpose.enrolments": "ilmoittautumiset",
    "retry_all": "Yritä kaikkia uudelleen",
    "retry_course": "Yritä kurssin kaikkia uudelleen",
    "retry_confirm_title": "Lähetä uudelleen KOSKIin",
    "retry_confirm_count": "{count} KOSKIn hylkäämää tai pysäytettyä siirtoa lähetetään uudelleen.",
    "retry_confirm_none": "Ei uudelleen lähetettävää.",
    "retry_confirm_changed": (
        "Tilanne muuttui vahvistuksen jälkeen: tarkista määrä ja vahvista uudelleen."
    ),
    "retry_confirm": "Lähetä {count} uudelleen",
    "retried_count": "{count} siirtoa lähetetään uudelleen.",
    "koski_key.badRequest.validation.jsonSchema": "KOSKI ei hyväksynyt tietojen muotoa",
    "koski_key.conflict.exists": "henkilöllä on jo sama suoritus KOSKIssa",
    "koski_key.forbidden.kiellettyMuutos": "KOSKI ei salli tätä muutosta",
    "koski_key.forbidden.organisaatio": "tunnuksilla ei ole oikeutta tähän oppilaitokseen",
    "koski_key.badRequest.validation.vapaasivistystyo.puuttuvaOpintokokonaisuus": (
        "opintokokonaisuuden koodi puuttuu"
    ),
    "koski_key.badRequest.validation.tila.valmiiksiMerkityltäPuuttuuOsasuorituksia": (
        "valmiilta suoritukselta puuttuu osasuorituksia"
    ),
    "koski_key.local.nimetPuuttuvat": "osallistujan nimet puuttuvat: tuo ne tulosten kanssa",
    "record_consent": "Kirjaa paperilla annettu suostumus",
    "record_consent_hint": (
        "Allekirjoitettu paperilomake tai henkilöllisyys tarkistettu paikan päällä: kirjaa"
        " suostumus ja liitä skannattu lomake (PDF). Alle 18-vuotiaan puolesta allekirjoittaa"
        " huoltaja, täysi-ikäinen itse."
    ),
    "record_consent_oid_hint": (
        "Jos henkilöllä ei ole henkilötunnusta: oppijanumero (1.2.246.562.24.…) ja syntymäaika."
    ),
    "consent_recorded": "Suostumus kirjattu.",
    "consent_not_recorded": "Suostumusta ei kirjattu.",
    "consent.recorded_by_staff": "kirjattu paperilta",
    "field.hetu": "Henkilötunnus",
    "field.oppijanumero": "Oppijanumero",
    "field.birth_date": "Syntymäaika",
    "field.first_names": "Etunimet",
    "field.last_name": "Sukunimi",
    "field.signed_by": "Allekirjoittaja",
    "field.guardian_hetu": "Huoltajan henkilötunnus (jos on)",
    "field.guardian_first_names": "Huoltajan etunimet",
    "field.guardian_last_name": "Huoltajan sukunimi",
    "field.guardian": "Huoltaja",
    "field.signed_on": "Allekirjoituspäivä",
    "field.pdf": "Skannattu lomake (PDF)",
    "field.consent": "Suostumus",
    "field.(form)": "Lomake",
}

# Swedish as written in Finland's administration (samtycke, vårdnadshavare, personbeteckning,
# studieprestation, ogiltigförklara, återkalla, Utbildningsstyrelsen for OPH, Min Studieinfo for
# Oma Opintopolku). Every FI key has its SV key with the same {placeholders} (a unit test checks).
SV: Final = {
    "app": "Samtycken och överföring till KOSKI",
    "skip": "Gå till innehållet",
    "login": "Logga in",
    "logout": "Logga ut",
    "username": "Användarnamn",
    "password": "Lösenord",
    "login_failed": "Fel användarnamn eller lösenord.",
    "login_throttled": (
        "För många misslyckade inloggningsförsök. Vänta en stund och försök sedan igen. "
        "Om du har glömt lösenordet, be administratören att ställa in ett nytt."
    ),
    "logged_in_as": "Inloggad som",
    "courses": "Kurser",
    "queues": "Arbetsköer (rq-dashboard)",
    "new_course": "Ny kurs",
    "edit_course": "Redigera kursen",
    "no_courses": "Det finns inga kurser ännu. Skapa den första kursen.",
    "unknown_courses": "Samtycken till kurser som ännu inte har definierats",
    "unknown_courses_hint": (
        "Samtycket har tagits emot. När en kurs skapas med den här koden och dess vitsord "
        "importeras, kopplas samtycket till kursen."
    ),
    "signed_at": "Undertecknat",
    "save": "Spara",
    "cancel": "Avbryt",
    "saved": "Kursen har sparats.",
    "fix_errors": "Korrigera de markerade fälten. Ingenting sparades.",
    "code": "Kursens kod",
    "code_taken": "används redan av en annan kurs",
    "code_hint": (
        "Bokstäver, siffror, punkt, bindestreck eller understreck; kan inte ändras senare."
    ),
    "name.fi": "Namn på finska",
    "name.sv": "Namn på svenska",
    "name.en": "Namn på engelska",
    "opintokokonaisuus": "Studiehelhet (kod i ePerusteet)",
    "opintokokonaisuus_hint": "Fyra siffror, till exempel 1138.",
    "laajuus_op": "Kursens omfattning (sp)",
    "end_date": "Slutdatum",
    "oppilaitos_oid": "Läroanstaltens OID",
    "toimipiste_oid": "Verksamhetsställets OID",
    "toimipiste_hint": "Tomt: samma som läroanstalten.",
    "language": "Prestationsspråk",
    "grading_scale": "Bedömningsskala",
    "scale.hyvaksytty-hylatty": "godkänd / underkänd",
    "scale.1-10": "1–10",
    "lang.FI": "finska",
    "lang.SV": "svenska",
    "lang.EN": "engelska",
    "confirmer": "Fastställare",
    "confirmer.name": "Fastställarens namn",
    "confirmer.title": "Fastställarens titel",
    "parts": "Delprestationer",
    "parts_hint": "Tomma rader lämnas bort. Utan delar är kursen själv sin enda del.",
    "part": "Del",
    "part.code": "Kod",
    "part.name": "Namn",
    "part.description": "Beskrivning",
    "part.laajuus_op": "Omfattning (sp)",
    "optional": "frivilligt",
    "ends": "Slutar",
    "extent": "Omfattning",
    "participants": "Deltagare",
    "upload_results": "Importera vitsord",
    "upload_hint": (
        "XLSX, CSV (semikolon eller komma; rubrikrad hetu;grade;graded_on[;ended_on]"
        "[;status][;first_names;last_name][;part:KOD…]) eller JSON; datum som 1.12.2026 "
        "eller 2026-12-01. Mallen har kursens kolumner. "
        "ended_on är den dag deltagaren avslutade kursen "
        "(standard: kursens slutdatum). Du ser ändringarna innan något sparas."
    ),
    "results_file": "Resultatfil",
    "check_file": "Granska filen",
    "preview": "Granska importen",
    "preview_ok": "Filen är i ordning. Importen skulle göra följande ändringar:",
    "preview_errors": "Filen innehåller fel. Ingenting importerades.",
    "row": "Rad",
    "field": "Fält",
    "problem": "Problem",
    "new": "nya",
    "changed": "ändrade",
    "unchanged": "oförändrade",
    "confirm_import": "Bekräfta importen",
    "template": "Mall",
    "row_hint": (
        "Raderna räknas efter rubrikraden och tomma rader hoppas över: rad 1 är den första "
        "ifyllda raden under rubriken (i kalkylbladet oftast rad 2). Rad 0 är hela filen eller "
        "dess rubrikrad."
    ),
    "template.data": "Uppgifter",
    "template.notes": "Anvisning",
    "enrolment_preview": "Granska deltagarförteckningen",
    "enrolment_preview_ok": (
        "Filen är i sin ordning: {count} rader. Bekräftelsen bjuder in dem att underteckna "
        "(de som redan bjudits in bjuds inte in igen). Ingen har bjudits in ännu."
    ),
    "invitation": "Inbjudan",
    "invitation.sent": "skickas per e-post eller sms",
    "invitation.link_only": "ingen kontaktuppgift: ge själv länken för undertecknande",
    "confirm_enrolment": "Bekräfta och bjud in",
    "column.hetu": "Personbeteckning, till exempel 010190-123A",
    "column.grade": "Vitsord: godkänd (hyväksytty) eller underkänd (hylätty), eller 1–10",
    "column.graded_on": "Bedömningsdatum, till exempel 1.12.2026 (eller 2026-12-01)",
    "column.ended_on": "Dagen deltagaren avslutade (tomt: kursens slutdatum)",
    "column.status": "completed (avlagd, standard) eller interrupted (avbruten)",
    "column.first_names": "Förnamn (frivilligt)",
    "column.last_name": "Efternamn (frivilligt)",
    "column.email": "E-post för inbjudan",
    "column.phone": "Telefonnummer i internationell form, till exempel +358401234567",
    "column.guardian_hetu": "Den minderårigas vårdnadshavares personbeteckning",
    "column.guardian_first_names": "Vårdnadshavarens förnamn",
    "column.guardian_last_name": "Vårdnadshavarens efternamn",
    "column.guardian_email": "Vårdnadshavarens e-post",
    "column.guardian_phone": "Vårdnadshavarens telefonnummer",
    "duplicates": (
        "Obs! KOSKI tar inte emot studieprestationerna på de här raderna, eftersom samma person "
        "redan har en studieprestation i KOSKI från samma läroanstalt, med samma studiehelhet "
        "och samma datum. Raderna importeras ändå; korrigera den ena studieprestationen (till "
        "exempel slutdatumet), så skickas den korrigerade."
    ),
    "duplicate_row": "samma studiehelhet och datum som på kursen {code}",
    "collides_with": (
        "KOSKI godkände inte: samma studiehelhet och datum som samma persons studieprestation "
        "på kursen {code}. Korrigera den andra studieprestationens slutdatum eller studiehelhet."
    ),
    "duplicate_elsewhere": (
        "KOSKI godkände inte: personen har redan en studieprestation i KOSKI med samma "
        "studiehelhet och datum (inte i det här systemet). Kontrollera slutdatumet."
    ),
    "imported": (
        "Importerat: {changed} nya eller ändrade, {unchanged} oförändrade. Överföringarna "
        "fortsätter i bakgrunden."
    ),
    "upload_expired": "Den granskade filen finns inte längre. Ladda upp den på nytt.",
    "no_file": "Välj en fil.",
    "status": "Status",
    "signing": "Underteckning av samtycken",
    "signing_hint": (
        "XLSX, CSV eller JSON: hetu, first_names, last_name, email eller phone; för en minderårig "
        "dessutom guardian_hetu, guardian_first_names, guardian_last_name och guardian_email "
        "eller guardian_phone. Visma Sign skickar inbjudan; utan kontaktuppgift ger du själv "
        "länken. Du ser vilka som bjuds in innan någon bjuds in."
    ),
    "enrolment_file": "Deltagarförteckning",
    "send_invitations": "Skicka inbjudningar att underteckna",
    "enrolled": "Inbjudna: {new} nya; {known} hade redan bjudits in tidigare.",
    "signer": "Undertecknare",
    "signer.self": "deltagaren själv",
    "signer.guardian": "vårdnadshavare",
    "signing_link": "Länk för underteckning",
    "enrolment.new": "inbjudan förbereds",
    "enrolment.invited": "inbjuden, väntar på underteckning",
    "enrolment.signed": "undertecknat",
    "enrolment.cancelled": "inte undertecknat",
    "outcome.expired": "gick ut",
    "outcome.cancelled": "avbruten",
    "outcome.deleted": "raderad",
    "no_enrolments": "Ingen har ännu bjudits in att underteckna.",
    "refresh": "Uppdatera",
    "auto_refresh": "Sidan uppdateras automatiskt medan överföringar pågår.",
    "no_results": "Kursen har ännu inga samtycken och inga vitsord.",
    "participant": "Deltagare",
    "consent": "Samtycke",
    "result": "Resultat",
    "koski": "KOSKI",
    "actions": "Åtgärder",
    "find_person": "Sök person",
    "hetu": "Personbeteckning",
    "find": "Sök",
    "show_all": "Visa alla",
    "person_not_found": "Personen har inget samtycke och inget resultat på den här kursen.",
    "bad_hetu": "Personbeteckningen är inte giltig.",
    "consent.none": "inget samtycke",
    "consent.valid.self": "undertecknat av deltagaren själv",
    "consent.valid.guardian": "undertecknat av vårdnadshavaren",
    "consent.rejected": "avvisat",
    "consent.cancelled": "avbrutet",
    "consent.revoked": "återkallat (Utbildningsstyrelsen)",
    "consent.signed_after_end": "undertecknat efter att kursen slutat",
    "result.none": "ännu inte bedömd",
    "result.completed": "avlagd",
    "result.interrupted": "avbruten",
    "state.not_eligible": "skickas inte",
    "state.pending": "i kö",
    "state.in_flight": "skickas",
    "state.sent": "skickad",
    "state.parked": "stoppad, försöken förbrukade",
    "state.failed": "KOSKI avvisade",
    "state.revoked": "skickas inte (samtycket återkallat)",
    "state.deleted": (
        "borttagen ur KOSKI: deltagaren återkallade sitt samtycke i Min Studieinfo eller "
        "uppgiften raderades i KOSKI; skickas inte på nytt av sig själv"
    ),
    "state.invalidated": "ogiltigförklarad",
    "state.attention": (
        "studieprestationen i KOSKI motsvarar inte längre uppgifterna – kontrollera och besluta"
    ),
    "state.withdrawn": "skickas inte (resultatet ändrades)",
    "oppilaitos_locked": (
        "Läroanstalten kan inte bytas, eftersom kursens studieprestationer redan finns i KOSKI: "
        "KOSKI godkänner inte byte av läroanstalt. Behåll läroanstalten, eller skapa en egen "
        "kurs för den andra läroanstalten."
    ),
    "attention_hint": (
        "Studieprestationen finns fortfarande i KOSKI. Om den är fel, ogiltigförklara den; om "
        "uppgifterna korrigeras, skickas den korrigerade studieprestationen."
    ),
    "binding.pending": "väntar på behandling",
    "why.no_consent": "inget samtycke",
    "why.no_result": "ännu inte bedömd: importera deltagarens vitsord",
    "why.consent_rejected": "samtycket avvisat",
    "why.consent_cancelled": "samtycket avbrutet",
    "why.consent_revoked": "samtycket återkallat",
    "why.not_passed": "inte godkänd: till KOSKI skickas endast en godkänd studieprestation",
    "why.no_assessed_part": (
        "ingen godkänd del: av en avbruten studieprestation skickas endast de godkända delarna"
    ),
    "why.single_part_interrupted": (
        "avbruten, men kursen har bara en del: som avbruten registreras i KOSKI endast en kurs "
        "som har minst två delar"
    ),
    "why.waiting_for_end": "skickas till KOSKI automatiskt på slutdatumet",
    "result.ended_on": "slutade",
    "attempts": "försök",
    "retry": "Försök igen",
    "retried": "Överföringen har satts i kö på nytt.",
    "not_retried": "Den här överföringen kan inte försökas på nytt.",
    "send_again": "Skicka på nytt",
    "sent_again": "Studieprestationen har satts i kö: en ny studierätt skickas till KOSKI.",
    "not_sent_again": "Endast en ogiltigförklarad studieprestation kan skickas på nytt.",
    "invalidate": "Ogiltigförklara",
    "invalidate_title": "Ogiltigförklara en studieprestation som skickats till KOSKI",
    "invalidate_warning": (
        "KOSKI raderar en ogiltigförklarad studierätt. Ett korrigerat resultat skickas senare "
        "som en ny studierätt. Detta kan inte ångras."
    ),
    "invalidate_reason": "Orsak",
    "reason.wrong_person": "fel person",
    "reason.wrong_result": "felaktigt resultat",
    "reason.no_consent": "skickad utan samtycke",
    "reason.sent_twice": "skickad två gånger",
    "reason.other": "annan orsak",
    "confirm_invalidate": "Bekräfta ogiltigförklaringen",
    "invalidated": "Studieprestationen har ogiltigförklarats i KOSKI.",
    "invalidate_failed": "KOSKI godkände inte ogiltigförklaringen; se felet på raden.",
    "revoke": "Registrera återkallelse",
    "revoke_title": "Registrera att samtycket har återkallats",
    "revoke_warning": (
        "Utbildningsstyrelsen har meddelat att deltagaren har återkallat sitt samtycke. För det "
        "här samtycket skickas ingenting mer. Ingenting raderas."
    ),
    "notified_on": "Dag då Utbildningsstyrelsen meddelade",
    "confirm_revoke": "Bekräfta återkallelsen",
    "revoked": "Återkallelsen har registrerats; ingenting skickas längre.",
    "need_reason": "Välj en orsak.",
    "need_date": "Ange dagen i formen ÅÅÅÅ-MM-DD, inte i framtiden.",
    "forbidden": "Du har inte behörighet till detta.",
    "not_found": "Sidan hittades inte.",
    "csrf": "Formuläret har gått ut. Ladda om sidan och försök sedan igen.",
    "error": "Fel",
    "too_large": "Filen är för stor (högst 10 MiB).",
    "incomplete": "Sändningen avbröts halvvägs och ingenting sparades. Skicka den på nytt.",
    "back": "Tillbaka",
    "person_title": "Personens uppgifter",
    "person_hint": (
        "Ange personbeteckningen: du ser allt som registret innehåller om personen, eller laddar "
        "ner det som en fil (rätt till insyn). Varje sökning registreras med ditt namn."
    ),
    "person_identity": "Personbeteckning",
    "person_show": "Visa",
    "person_pdf": "Ladda ner PDF",
    "person_json": "Ladda ner JSON",
    "person_nothing": "Registret innehåller inga uppgifter om den här personen.",
    "identified_by_hetu": (
        "Det här registret identifierar personer med personbeteckning: med studentnummer hittas "
        "ingenting."
    ),
    "person.consents": "Samtycken",
    "person.signed_for_others": "Samtycken undertecknade som vårdnadshavare",
    "person.results": "Studieprestationer",
    "person.grade": "Vitsord",
    "person.binding": "Behandling",
    "person.removed_at": "borttagen",
    "person.koski": "Överföringar till KOSKI",
    "person.revocations": "Återkallelser",
    "person.enrolments": "Begäranden om underteckning",
    "person.audit": "Logghändelser",
    "remove_result": "Ta bort studieprestationen",
    "removal_reason": "Orsak till borttagningen",
    "removal.wrong_person": "fel person (felaktig personbeteckning i filen)",
    "removal.person_asked": "personen begärde att den tas bort",
    "why.removed": "borttagen på begäran: skickas inte",
    "result_deleted": (
        "Studieprestationen har tagits bort; ingenting av den hade skickats till KOSKI."
    ),
    "result_removed": (
        "Studieprestationen har tagits bort; dess historik i KOSKI finns kvar, ingenting skickas."
    ),
    "result_removed_live": (
        "Studieprestationen har tagits bort, men den finns fortfarande i KOSKI: "
        "ogiltigförklara den på kursens sida."
    ),
    "result_being_sent": (
        "Studieprestationen skickas just nu till KOSKI. Försök igen om en stund."
    ),
    "delete_contact": "Ta bort kontaktuppgifterna",
    "contact_deleted": "Kontaktuppgifterna har tagits bort.",
    "page_language": "Sidornas språk",
    "choose_language": "Byt språk",
    "bad_language": "Sidorna finns inte på det språket. Välj finska eller svenska.",
    "unit.op": "sp",
    "export": "Exportera som tabell",
    "export_hint": (
        "Deltagare, samtycken, vitsord och läget i KOSKI. Personbeteckningarna döljs; en "
        "nedladdning med fullständiga personbeteckningar och namn loggas i ditt namn."
    ),
    "export_csv": "CSV (Excel)",
    "export_xlsx": "XLSX",
    "export_full_csv": "CSV med fullständiga personbeteckningar",
    "export_full_xlsx": "XLSX med fullständiga personbeteckningar",
    "export.eligible": "skickas till KOSKI",
    "export.col.hetu": "Personbeteckning",
    "export.col.name": "Namn",
    "export.col.consent": "Samtycke",
    "export.col.signer": "Undertecknare",
    "export.col.signed_at": "Undertecknat",
    "export.col.grade": "Vitsord",
    "export.col.status": "Prestation",
    "export.col.graded_on": "Bedömt",
    "export.col.ended_on": "Avslutad",
    "export.col.binding": "Behandling",
    "export.col.binding_words": "Behandlingens resultat",
    "export.col.koski_state": "Läge i KOSKI",
    "export.col.oid": "Studierättens OID",
    "export.col.versionumero": "Versionsnummer",
    "export.col.sent_at": "Skickat",
    "export.col.error_keys": "KOSKIs felnycklar",
    "export.col.error_words": "KOSKIs fel",
    "export.sum.opintokokonaisuus": "Studiehelhet",
    "export.sum.sent": "I KOSKI",
    "export.sum.interrupted": "varav avbrutna",
    "export.sum.invalidated": "Ogiltigförklarade under året",
    "export.summary_sheet": "Sammandrag",
    "summary": "Årssammandrag",
    "summary_title": "Årssammandrag per studiehelhet",
    "summary_hint": (
        "En prestation hör till det år då deltagaren avslutade kursen (dagen som förs in i "
        "KOSKI). I KOSKI: årets prestationer som nu finns i KOSKI; ogiltigförklarade: "
        "prestationer som ogiltigförklarades under året. Endast antal, inga personuppgifter."
    ),
    "summary_year": "År",
    "summary_show": "Visa",
    "summary_none": "Det finns inga prestationer för det här året.",
    "bad_year": "Ange ett år mellan 2000 och 2099.",
    "bad_format": "Välj formatet csv eller xlsx.",
    "signed_form": "Samtyckesblankett",
    "signed_form_view": "Visa blanketten",
    "signed_form_download": "Ladda ner blanketten",
    # The attention list (the front page) and retrying in bulk.
    "attention": "Att åtgärda",
    "attention_none": "Inget väntar på åtgärd: allt är i ordning.",
    "attention_summary": "{total} ärenden väntar på åtgärd, {unseen} av dem inte sedda.",
    "attention.kind.failed": "KOSKI avvisade",
    "attention.kind.parked": "Stoppade, försöken förbrukade",
    "attention.kind.gone": "Finns inte längre i KOSKI",
    "attention.kind.unsupported": "I KOSKI, men uppgifterna stöder inte längre prestationen",
    "attention.kind.rejected_consent": "Avvisade samtycken",
    "attention.kind.unknown_course": "Samtycken till kurser som inte har definierats",
    "attention.kind.waiting_for_end": "Resultat som väntar på att kursen slutar",
    "attention.kind.unconfirmed_import": "Importer som inte bekräftats",
    "attention.hint.failed": "Rätta uppgifterna enligt KOSKIs fel och försök igen.",
    "attention.hint.parked": "KOSKI svarade inte. När KOSKI fungerar igen, försök igen.",
    "attention.hint.gone": (
        "Om deltagaren återkallade sitt samtycke, registrera återkallelsen; annars utred saken "
        "med KOSKI."
    ),
    "attention.hint.unsupported": (
        "Kontrollera prestationen: rätta resultatet eller ogiltigförklara prestationen."
    ),
    "attention.hint.rejected_consent": (
        "Be rätt undertecknare (vårdnadshavaren för en minderårig) att underteckna på nytt."
    ),
    "attention.hint.unknown_course": "Definiera en kurs med den här koden.",
    "attention.hint.waiting_for_end": (
        "Resultaten skickas till KOSKI automatiskt på slutdatumet; åtgärd behövs bara om "
        "datumet är fel."
    ),
    "attention.hint.unconfirmed_import": "Ladda upp filen igen och bekräfta importen.",
    "attention.col.course": "Kurs",
    "attention.col.who": "Deltagare",
    "attention.col.what": "Vad",
    "attention.col.waiting": "Väntat",
    "attention.col.actions": "Åtgärder",
    "attention.fix": "Åtgärda",
    "attention.mark_seen": "Markera som sedd",
    "attention.seen": "sedd",
    "attention.marked": "Markerad som sedd: syns på listan tills ärendet är åtgärdat.",
    "attention.gone_meanwhile": "Ärendet har redan åtgärdats eller ändrats: se listan igen.",
    "attention.records": "{n} st.",
    "attention.days": "{n} d",
    "attention.hours": "{n} h",
    "attention.purpose.results": "resultat",
    "attention.purpose.enrolments": "anmälningar",
    "retry_all": "Försök alla igen",
    "retry_course": "Försök kursens alla igen",
    "retry_confirm_title": "Skicka igen till KOSKI",
    "retry_confirm_count": (
        "{count} överföringar som KOSKI avvisat eller som stoppats skickas igen."
    ),
    "retry_confirm_none": "Inget att skicka igen.",
    "retry_confirm_changed": (
        "Läget ändrades efter bekräftelsen: kontrollera antalet och bekräfta igen."
    ),
    "retry_confirm": "Skicka {count} igen",
    "retried_count": "{count} överföringar skickas igen.",
    "koski_key.badRequest.validation.jsonSchema": "KOSKI godkände inte uppgifternas form",
    "koski_key.conflict.exists": "personen har redan samma prestation i KOSKI",
    "koski_key.forbidden.kiellettyMuutos": "KOSKI tillåter inte den här ändringen",
    "koski_key.forbidden.organisaatio": "inloggningen har inte rätt till den här läroanstalten",
    "koski_key.badRequest.validation.vapaasivistystyo.puuttuvaOpintokokonaisuus": (
        "koden för studiehelheten saknas"
    ),
    "koski_key.badRequest.validation.tila.valmiiksiMerkityltäPuuttuuOsasuorituksia": (
        "en slutförd prestation saknar delprestationer"
    ),
    "koski_key.local.nimetPuuttuvat": "deltagarens namn saknas: importera dem med resultaten",
    "record_consent": "Registrera ett samtycke givet på papper",
    "record_consent_hint": (
        "En undertecknad pappersblankett eller identiteten kontrollerad på plats: registrera"
        " samtycket och bifoga den skannade blanketten (PDF). För en deltagare under 18 år"
        " undertecknar vårdnadshavaren, en myndig deltagare själv."
    ),
    "record_consent_oid_hint": (
        "Om personen saknar personbeteckning: studentnummer (1.2.246.562.24.…) och födelsedatum."
    ),
    "consent_recorded": "Samtycket har registrerats.",
    "consent_not_recorded": "Samtycket registrerades inte.",
    "consent.recorded_by_staff": "registrerat från papper",
    "field.hetu": "Personbeteckning",
    "field.oppijanumero": "Studentnummer (oppijanumero)",
    "field.birth_date": "Födelsedatum",
    "field.first_names": "Förnamn",
    "field.last_name": "Efternamn",
    "field.signed_by": "Undertecknare",
    "field.guardian_hetu": "Vårdnadshavarens personbeteckning (om sådan finns)",
    "field.guardian_first_names": "Vårdnadshavarens förnamn",
    "field.guardian_last_name": "Vårdnadshavarens efternamn",
    "field.guardian": "Vårdnadshavare",
    "field.signed_on": "Underteckningsdag",
    "field.pdf": "Skannad blankett (PDF)",
    "field.consent": "Samtycke",
    "field.(form)": "Blankett",
}

LANGUAGES: Final = {"fi": FI, "sv": SV}

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
    "must be a date D.M.YYYY or YYYY-MM-DD": (
        "pitää olla päivämäärä muodossa P.K.VVVV tai VVVV-KK-PP, esimerkiksi 1.12.2026"
    ),
    (
        "is an old Excel file (.xls) or a password-protected workbook: "
        "save it as .xlsx without a password, or as CSV"
    ): (
        "on vanha Excel-tiedosto (.xls) tai salasanalla suojattu työkirja: tallenna se "
        "ilman salasanaa muodossa .xlsx tai CSV"
    ),
    "is an OpenDocument spreadsheet (.ods): save it as .xlsx or as CSV (semicolons or commas)": (
        "on OpenDocument-laskentataulukko (.ods): "
        "tallenna se muodossa .xlsx tai CSV (puolipiste- tai pilkkuerotin)"
    ),
    "is not a readable .xlsx workbook: save it as .xlsx or as CSV (semicolons or commas)": (
        "ei ole luettava .xlsx-työkirja: "
        "tallenna se muodossa .xlsx tai CSV (puolipiste- tai pilkkuerotin)"
    ),
    (
        "is too large unpacked: save it as .xlsx or as CSV (semicolons or commas) "
        "with only the rows to import"
    ): (
        "on purettuna liian suuri: "
        "tallenna se muodossa .xlsx tai CSV (puolipiste- tai pilkkuerotin), vain tuotavat rivit"
    ),
    "is not a spreadsheet or a text file: save it as .xlsx or as CSV (semicolons or commas)": (
        "ei ole taulukko eikä tekstitiedosto: "
        "tallenna se muodossa .xlsx tai CSV (puolipiste- tai pilkkuerotin)"
    ),
    "mixes UTF-8 with another encoding: save it again as CSV UTF-8": (
        "sekoittaa UTF-8-merkistöä ja toista merkistöä: tallenna se uudelleen muodossa CSV UTF-8"
    ),
    "is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8": (
        "ei ole UTF-8- eikä Windows-1252-tekstiä: tallenna se muodossa CSV UTF-8"
    ),
    "cannot be read as .xlsx here: save it as .xlsx or as CSV (semicolons or commas)": (
        "ei voi lukea täällä .xlsx-tiedostona: tallenna se muodossa CSV "
        "(puolipiste- tai pilkkuerotin)"
    ),
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
    "must be a PDF file (the scanned, signed form)": "pitää olla PDF-tiedosto (skannattu lomake)",
    "must be at most 5 MiB": "saa olla enintään 5 MiB",
    "is required: the scanned, signed form": "on pakollinen: skannattu, allekirjoitettu lomake",
    "is required when a guardian signed: their hetu or their name": (
        "tarvitaan, kun huoltaja allekirjoitti: henkilötunnus tai nimi"
    ),
    "must be participant or guardian": "pitää olla osallistuja tai huoltaja",
    "must be base64": "pitää olla base64-muodossa",
    "give a hetu or an oppijanumero, not both": "anna henkilötunnus tai oppijanumero, ei molempia",
    "is required (or an oppijanumero and a birth date)": (
        "on pakollinen (tai oppijanumero ja syntymäaika)"
    ),
    "is required (or an oppijanumero for a person without one)": (
        "on pakollinen (tai oppijanumero henkilölle, jolla ei ole henkilötunnusta)"
    ),
    "not of the form 1.2.246.562.24. and 11 digits": (
        "ei ole muotoa 1.2.246.562.24. ja 11 numeroa"
    ),
    "wrong check digit": "tarkistusnumero on väärä",
    "participant is under 18 on the signing day; a guardian must sign": (
        "osallistuja on allekirjoituspäivänä alle 18-vuotias: huoltajan pitää allekirjoittaa"
    ),
    "participant is 18 or over; only they may sign their consent": (
        "osallistuja on täysi-ikäinen: vain hän itse voi allekirjoittaa"
    ),
    "the guardian who signed is under 18 on the signing day": (
        "allekirjoittanut huoltaja on allekirjoituspäivänä alle 18-vuotias"
    ),
    "participant was born after the signing day": (
        "osallistuja on syntynyt allekirjoituspäivän jälkeen"
    ),
    "has been revoked through OPH: it is never recorded again": (
        "on peruttu OPH:n kautta: sitä ei kirjata enää uudelleen"
    ),
    "no participant has this oppijanumero yet: record their consent first (it gives the"
    " birth date)": (
        "kenelläkään ei ole vielä tätä oppijanumeroa: kirjaa ensin suostumus (siinä on syntymäaika)"
    ),
}


# The shared checks' reasons in Swedish, by the same English keys as REASONS_FI.
REASONS_SV: Final = {
    "is required": "är obligatoriskt",
    "has the wrong type": "har fel form (tal eller text)",
    "is not one of the allowed values": "är inte ett tillåtet värde",
    "has an invalid format": "har fel format",
    "is too short": "är för kort",
    "is too long": "är för långt",
    "must be greater than zero": "måste vara större än noll",
    "is too large": "är för stort",
    "has too many items": "innehåller för många rader",
    "is not a valid date": "är inte ett giltigt datum (ÅÅÅÅ-MM-DD)",
    "has more than two decimals": "har fler än två decimaler",
    "is not allowed": "är inte tillåtet",
    "is not UTF-8": "är inte i UTF-8-format",
    "is not a number": "är inte ett tal",
    "is not a known column": "är inte en känd kolumn",
    "is not a known field": "är inte ett känt fält",
    "repeats an earlier column": "upprepar en tidigare kolumn",
    "is beyond the header": "ligger utanför rubrikradens kolumner",
    "is missing from the header": "saknas i rubrikraden",
    "has no rows": "innehåller inga rader",
    "body is not UTF-8": "är inte i UTF-8-format",
    "duplicate object key": "innehåller samma nyckel två gånger",
    "JSON nested too deeply": "JSON är kapslad i för många nivåer",
    "a string holds a NUL or a lone surrogate": (
        "texten innehåller ett NUL-tecken eller en ensam UTF-16-surrogathalva"
    ),
    "a number is too large": "innehåller ett för stort tal",
    'must be a list of results or {"results": [...]}': (
        'måste vara en lista med resultat eller {"results": [...]}'
    ),
    "is before 2000": "är före år 2000",
    "must be text of at most 200 characters": "får vara högst 200 tecken",
    "must be completed or interrupted": "måste vara completed eller interrupted",
    "must be hyväksytty or hylätty": "måste vara hyväksytty (godkänd) eller hylätty (underkänd)",
    "must be 1-10 or hylätty": "måste vara 1–10 eller hylätty (underkänd)",
    "must be a date D.M.YYYY or YYYY-MM-DD": (
        "måste vara ett datum i formen D.M.ÅÅÅÅ eller ÅÅÅÅ-MM-DD, till exempel 1.12.2026"
    ),
    (
        "is an old Excel file (.xls) or a password-protected workbook: "
        "save it as .xlsx without a password, or as CSV"
    ): (
        "är en gammal Excel-fil (.xls) eller en lösenordsskyddad arbetsbok: spara den "
        "utan lösenord som .xlsx eller CSV"
    ),
    "is an OpenDocument spreadsheet (.ods): save it as .xlsx or as CSV (semicolons or commas)": (
        "är ett OpenDocument-kalkylblad (.ods): "
        "spara den som .xlsx eller CSV (semikolon eller komma)"
    ),
    "is not a readable .xlsx workbook: save it as .xlsx or as CSV (semicolons or commas)": (
        "är inte en läsbar .xlsx-arbetsbok: spara den som .xlsx eller CSV (semikolon eller komma)"
    ),
    (
        "is too large unpacked: save it as .xlsx or as CSV (semicolons or commas) "
        "with only the rows to import"
    ): (
        "är för stor uppackad: "
        "spara den som .xlsx eller CSV (semikolon eller komma), bara raderna som ska importeras"
    ),
    "is not a spreadsheet or a text file: save it as .xlsx or as CSV (semicolons or commas)": (
        "är varken ett kalkylblad eller en textfil: "
        "spara den som .xlsx eller CSV (semikolon eller komma)"
    ),
    "mixes UTF-8 with another encoding: save it again as CSV UTF-8": (
        "blandar UTF-8 med en annan teckenkodning: spara den på nytt som CSV UTF-8"
    ),
    "is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8": (
        "är varken UTF-8- eller Windows-1252-text: spara den som CSV UTF-8"
    ),
    "cannot be read as .xlsx here: save it as .xlsx or as CSV (semicolons or commas)": (
        "kan inte läsas som .xlsx här: spara den som CSV (semikolon eller komma)"
    ),
    "is in the future": "ligger i framtiden",
    "must map part codes to grades": "måste ange ett vitsord för varje delkod",
    "is not a part of this course": "är inte en del av den här kursen",
    "malformed": "har fel format",
    "not a real birth date": "födelsedatumet är inte en verklig dag",
    "wrong check character": "kontrolltecknet är fel",
    "temporary number (900-999) not allowed": "ett tillfälligt nummer (900–999) godtas inte",
    "birth date in the future": "födelsedatumet ligger i framtiden",
    "individual number below 002": "individnumret är under 002",
    "is required for a participant under 18": "behövs för en deltagare under 18 år",
    "is only for a participant under 18": "anges endast för en deltagare under 18 år",
    "must be another, adult person": "måste vara en annan, myndig person",
    "is not an e-mail address": "är inte en e-postadress",
    "must be in international form, e.g. +358401234567": (
        "måste vara i internationell form, t.ex. +358401234567"
    ),
    "is required (at most 200 characters)": "är obligatoriskt (högst 200 tecken)",
    "must not look like a henkilötunnus": "får inte se ut som en personbeteckning",
    "must not hold a henkilötunnus": "får inte innehålla en personbeteckning",
    "must be a PDF file (the scanned, signed form)": "måste vara en PDF-fil (skannad blankett)",
    "must be at most 5 MiB": "får vara högst 5 MiB",
    "is required: the scanned, signed form": (
        "är obligatorisk: den skannade, undertecknade blanketten"
    ),
    "is required when a guardian signed: their hetu or their name": (
        "behövs när vårdnadshavaren undertecknade: personbeteckning eller namn"
    ),
    "must be participant or guardian": "måste vara deltagare eller vårdnadshavare",
    "must be base64": "måste vara i base64-format",
    "give a hetu or an oppijanumero, not both": (
        "ange personbeteckning eller studentnummer, inte båda"
    ),
    "is required (or an oppijanumero and a birth date)": (
        "är obligatorisk (eller studentnummer och födelsedatum)"
    ),
    "is required (or an oppijanumero for a person without one)": (
        "är obligatorisk (eller studentnummer för en person utan personbeteckning)"
    ),
    "not of the form 1.2.246.562.24. and 11 digits": (
        "har inte formen 1.2.246.562.24. och 11 siffror"
    ),
    "wrong check digit": "kontrollsiffran är fel",
    "participant is under 18 on the signing day; a guardian must sign": (
        "deltagaren är under 18 år på underteckningsdagen: vårdnadshavaren ska underteckna"
    ),
    "participant is 18 or over; only they may sign their consent": (
        "deltagaren är myndig: bara hen själv får underteckna"
    ),
    "the guardian who signed is under 18 on the signing day": (
        "vårdnadshavaren som undertecknade är under 18 år på underteckningsdagen"
    ),
    "participant was born after the signing day": "deltagaren är född efter underteckningsdagen",
    "has been revoked through OPH: it is never recorded again": (
        "har återkallats via OPH: det registreras aldrig igen"
    ),
    "no participant has this oppijanumero yet: record their consent first (it gives the"
    " birth date)": (
        "ingen deltagare har ännu detta studentnummer: registrera först samtycket (det ger"
        " födelsedatumet)"
    ),
}

REASONS: Final = {"fi": REASONS_FI, "sv": REASONS_SV}


def current_language() -> str:
    """The language of the page being drawn: the logged-in member's (the staff pages' guard
    puts it in ``g.language``), Finnish outside a request (CLI, jobs) or before login."""
    language = g.get("language") if has_app_context() else None
    return language if isinstance(language, str) and language in LANGUAGES else "fi"


def text(key: str, language: str | None = None) -> str:
    """The label ``key`` in ``language`` (default: the page's), falling back to Finnish, then
    to the key itself: a label someone added in Finnish only still shows, in Finnish."""
    table = LANGUAGES.get(language or current_language(), FI)
    return table.get(key) or FI.get(key, key)


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


# The patterns' Swedish wordings, keyed by the FI pattern's regular expression.
_PATTERNS_SV: Final = {
    r"part extents add up to ([0-9.]+) op, not the course's ([0-9.]+) op": (
        "delarnas omfattning ({0} sp) motsvarar inte kursens omfattning ({1} sp)"
    ),
    r"part code (.+) appears twice": "delkoden {0} förekommer två gånger",
    r"same person as row (\d+)": "samma person som på rad {0}",
    r"has more than (\d+) rows": "innehåller fler än {0} rader",
    r"malformed JSON at line (\d+) column (\d+)": "JSON är trasig på rad {0}, kolumn {1}",
    r"an integer has more than (\d+) digits": "innehåller ett tal med fler än {0} siffror",
    r"JSON nested deeper than (\d+) levels": "JSON är kapslad i fler än {0} nivåer",
}

_FIELDS_SV: Final = {
    r"\(file\)": "(fil)",
    r"column (\d+)": "kolumn {0}",
    r"key (\d+)": "nyckel {0}",
    r"parts key (\d+)": "delarnas nyckel {0}",
}

_PATTERNS: Final[dict[str, dict[str, str]]] = {"sv": _PATTERNS_SV}
_FIELDS: Final[dict[str, dict[str, str]]] = {"sv": _FIELDS_SV}


def _worded(pattern: re.Pattern[str], finnish: str, tables: dict[str, dict[str, str]]) -> str:
    """The page's wording of a pattern: its Swedish (or other) template, else the Finnish."""
    return tables.get(current_language(), {}).get(pattern.pattern) or finnish


def field_label(english: str) -> str:
    """A field an import error names by position (``column 3``) in the page's language;
    others as they are."""
    for pattern, finnish in _FIELDS_FI:
        if found := pattern.fullmatch(english):
            return _worded(pattern, finnish, _FIELDS).format(*found.groups())
    return english


def reason(english: str) -> str:
    """A shared check's reason in the page's language where it is known (Finnish where only
    Finnish is), else as the check words it."""
    known = REASONS.get(current_language(), REASONS_FI).get(english) or REASONS_FI.get(english)
    if known:
        return known
    for pattern, finnish in _PATTERNS_FI:
        if found := pattern.fullmatch(english):
            worded = _worded(pattern, finnish, _PATTERNS)
            return worded.format(*(_decimal_comma(group) for group in found.groups()))
    return english


def _decimal_comma(number: str) -> str:
    """``1.50`` → ``1,5`` (Finnish decimals); other text as it is."""
    if re.fullmatch(r"[0-9]+\.[0-9]+", number):
        number = number.rstrip("0").rstrip(".")
    return number.replace(".", ",")
