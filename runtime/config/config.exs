import Config

# Every key is optional; see SnakeBridge.Config for the keys, their environment
# variables and defaults. (A dependency's config is not loaded by its users.)
if config_env() == :test do
  import_config "test.exs"
end
