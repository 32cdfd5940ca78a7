"""A local KOSKI that speaks the source-system API for VST vapaatavoitteinen koulutus.

Organisers try vst-consent against it before they have KOSKI test credentials, and every
end-to-end test uses it as its KOSKI. It enforces the documented rules (structure, V1–V4,
G1–G9, G12) with KOSKI's exact error keys, and keeps its state in a SQLite file.
"""
