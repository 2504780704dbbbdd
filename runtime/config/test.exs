import Config

# Four workers whatever the machine; test/support holds the Python helpers the tests
# call (sleeps, crashes, junk output), put on the workers' PYTHONPATH.
config :snakebridge,
  pool_size: 4,
  timeout: 10_000,
  env: [{"PYTHONPATH", Path.expand("../test/support", __DIR__)}]

config :logger, level: :warning
