from tests.assistant.conftest import _fakes, store  # noqa: F401  (same fakes and store)
