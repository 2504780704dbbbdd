defmodule SnakeBridge.Naming do
  @moduledoc """
  Between Elixir module names and Python targets, for calls and docs that do not go
  through a generated function. Generated modules say their own target with
  `__python__/0`; other names are derived as the generator would name them
  (`numpy.linalg` ↔ `Numpy.Linalg`).
  """

  @doc """
  `{py_module, qualname_prefix}` for an Elixir module (generated or not) or a Python
  module name; the prefix is the class qualname for class modules, else nil.
  """
  @spec python_target(module() | String.t()) :: {String.t(), String.t() | nil}
  def python_target(module) when is_binary(module), do: {module, nil}

  def python_target(module) when is_atom(module) do
    if Code.ensure_loaded?(module) and function_exported?(module, :__python__, 0) do
      {py_module, qualname} = module.__python__()
      {py_module, if(qualname in [nil, ""], do: nil, else: qualname)}
    else
      {module |> Module.split() |> Enum.map_join(".", &Macro.underscore/1), nil}
    end
  end

  @doc "The Elixir module name (no `Elixir.` prefix) for a module atom or Python module."
  @spec elixir_name(module() | String.t()) :: String.t()
  def elixir_name(module) when is_atom(module), do: inspect(module)

  def elixir_name(py_module) when is_binary(py_module) do
    py_module |> String.split(".") |> Enum.map_join(".", &Macro.camelize/1)
  end

  @doc "`prefix.name`, or `name` alone when there is no prefix."
  @spec join(String.t() | nil, String.t()) :: String.t()
  def join(nil, name), do: name
  def join(prefix, name), do: prefix <> "." <> name

  @doc "The atom named `name` if it exists (names from callers must not fill the atom table)."
  @spec existing_atom(String.t()) :: atom() | nil
  def existing_atom(name) do
    String.to_existing_atom(name)
  rescue
    ArgumentError -> nil
  end
end
