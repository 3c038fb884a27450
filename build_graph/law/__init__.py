"""The law as data: a statute corpus imported into one compact archive (:mod:`.importer`) and
read back lazily (:mod:`.archive`) — every instrument with its level, versions, status and the
text of every article."""
