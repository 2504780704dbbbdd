# The interpreter comes from SNAKEBRIDGE_PYTHON (the pytest wrapper sets the repo's
# .venv python, which has numpy); fail early with a clear message when it is missing.
python = SnakeBridge.Config.python()

unless File.exists?(python) or System.find_executable(python) do
  raise "SNAKEBRIDGE_PYTHON=#{python} is not an interpreter"
end

ExUnit.start(exclude: [:bench])
