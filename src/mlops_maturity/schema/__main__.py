from . import dumps, generate, path

path().write_text(dumps(generate()), encoding="utf-8")
print(path())
