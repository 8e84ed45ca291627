"""The pytest plugin (registered by the pytest11 entry point): fixtures only, over MockNexus and the admin client."""
