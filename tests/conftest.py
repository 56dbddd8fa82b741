pytest_plugins = ["tests.data_fixtures"]
