defmodule SnakeBridge.Args do
  @moduledoc """
  Checks a call's payload before anything is sent, in one walk: finds the references
  it carries (they decide the worker, `SnakeBridge.Affinity`) and the Elixir functions
  (they become `%SnakeBridge.Callback{}` placeholders, run by the caller when Python
  calls them), and rejects terms Python cannot hold (pids, references, ports,
  improper lists, bitstrings, unknown structs) with an `ArgumentError` that names
  where the value is in the arguments.

  The walk allocates nothing for plain data; the payload is rebuilt only when it holds
  functions, and the path of a bad value is searched for only after one was found.
  """

  alias SnakeBridge.{Callback, Ref}

  @passed [SnakeBridge.Bytes, SnakeBridge.Array, Date, Time, NaiveDateTime, DateTime, Range]

  @typedoc "The prepared payload, its references and its functions (by callback index)."
  @type prepared :: {tuple(), [Ref.t()], tuple()}

  @doc "Prepares `payload` (a tuple) for sending; raises `ArgumentError` on a bad value."
  @spec prepare(tuple()) :: prepared()
  def prepare(payload) do
    case scan(payload, {[], 0}) do
      {refs, 0} -> {payload, refs, {}}
      {refs, _count} -> with_callbacks(payload, refs)
    end
  catch
    {:sb_bad, value, why} -> raise ArgumentError, bad_message(payload, value, why)
  end

  @doc "Prepares a callback's result (no functions allowed: a result cannot call back)."
  @spec prepare_value(term()) :: term()
  def prepare_value(value) do
    case prepare({value}) do
      {{value}, _refs, {}} -> value
      _ -> raise ArgumentError, "an Elixir callback cannot return a function to Python"
    end
  end

  defp with_callbacks(payload, refs) do
    {payload, funs} = replace(payload, [])
    {payload, refs, funs |> Enum.reverse() |> List.to_tuple()}
  end

  # -- the walk: {refs, function count} -------------------------------------------

  defp scan(value, acc) when is_number(value) or is_atom(value) or is_binary(value), do: acc
  defp scan([head | tail], acc), do: scan_list(tail, scan(head, acc))
  defp scan([], acc), do: acc
  defp scan(%Ref{} = ref, {refs, funs}), do: {[ref | refs], funs}
  defp scan(%MapSet{} = set, acc), do: set |> MapSet.to_list() |> scan(acc)
  defp scan(%{__struct__: module} = struct, acc), do: scan_struct(module, struct, acc)
  defp scan(%{} = map, acc), do: :maps.fold(fn k, v, acc -> scan(v, scan(k, acc)) end, acc, map)
  defp scan(tuple, acc) when is_tuple(tuple), do: scan_tuple(tuple, 0, tuple_size(tuple), acc)
  defp scan(fun, {refs, funs}) when is_function(fun), do: {refs, funs + 1}
  defp scan(value, _acc), do: throw({:sb_bad, value, kind(value)})

  defp scan_list([head | tail], acc), do: scan_list(tail, scan(head, acc))
  defp scan_list([], acc), do: acc
  defp scan_list(tail, _acc), do: throw({:sb_bad, tail, "the tail of an improper list"})

  defp scan_tuple(_tuple, size, size, acc), do: acc

  defp scan_tuple(tuple, index, size, acc),
    do: scan_tuple(tuple, index + 1, size, scan(elem(tuple, index), acc))

  defp scan_struct(module, _struct, acc) when module in @passed, do: acc

  defp scan_struct(module, struct, _acc),
    do: throw({:sb_bad, struct, "a #{inspect(module)} struct (it has no Python form)"})

  defp kind(value) when is_pid(value), do: "a pid"
  defp kind(value) when is_port(value), do: "a port"
  defp kind(value) when is_reference(value), do: "a reference"
  defp kind(value) when is_bitstring(value), do: "a bitstring that is not whole bytes"
  defp kind(_value), do: "a term"

  # -- functions → callbacks --------------------------------------------------------

  defp replace(fun, funs) when is_function(fun) do
    {:arity, arity} = Function.info(fun, :arity)
    name = "#{inspect(fun)}/#{arity}"
    {%Callback{index: length(funs), arity: arity, name: name}, [fun | funs]}
  end

  defp replace([head | tail], funs) do
    {head, funs} = replace(head, funs)
    {tail, funs} = replace(tail, funs)
    {[head | tail], funs}
  end

  defp replace(%MapSet{} = set, funs) do
    {items, funs} = set |> MapSet.to_list() |> replace(funs)
    {MapSet.new(items), funs}
  end

  defp replace(%{__struct__: _} = struct, funs), do: {struct, funs}

  defp replace(%{} = map, funs) do
    {pairs, funs} = map |> Map.to_list() |> replace(funs)
    {Map.new(pairs), funs}
  end

  defp replace(tuple, funs) when is_tuple(tuple) do
    {items, funs} = tuple |> Tuple.to_list() |> replace(funs)
    {List.to_tuple(items), funs}
  end

  defp replace(value, funs), do: {value, funs}

  # -- where the bad value is --------------------------------------------------------

  defp bad_message(payload, value, why) do
    "cannot pass #{why} (#{inspect(value, limit: 5)}) to Python, #{place(payload, value)}; " <>
      "pass data (numbers, strings, lists, tuples, maps, sets, dates), a SnakeBridge.Ref, " <>
      "or a function"
  end

  defp place(payload, value) do
    case locate(payload, value) do
      [root | path] -> "at #{root}#{Enum.map_join(path, &segment/1)}"
      [] -> "in the arguments"
    end
  end

  defp segment(key), do: "[#{inspect(key)}]"

  # The path to the first `value` in a payload, its root named by role.
  defp locate({args, kwargs}, value) when is_list(args) and is_list(kwargs),
    do: find_args(args, kwargs, value)

  defp locate({_object, args, kwargs}, value) when is_list(args) and is_list(kwargs),
    do: find_args(args, kwargs, value)

  defp locate(payload, value), do: path(payload, value) || []

  defp find_args(args, kwargs, value) do
    positional =
      args
      |> Enum.with_index(1)
      |> Enum.find_value(fn {arg, n} -> prefix(path(arg, value), "positional argument #{n}") end)

    positional || find_keyword(kwargs, value) || []
  end

  defp find_keyword(kwargs, value) do
    Enum.find_value(kwargs, fn
      {key, arg} -> prefix(path(arg, value), "keyword argument #{key}")
      other -> prefix(path(other, value), "the keyword list")
    end)
  end

  defp prefix(nil, _root), do: nil
  defp prefix(path, root), do: [root | path]

  defp path(term, value) when term === value, do: []
  defp path(list, value) when is_list(list), do: list_path(list, 0, value)
  defp path(%MapSet{} = set, value), do: set |> MapSet.to_list() |> list_path(0, value)
  defp path(%{__struct__: _}, _value), do: nil

  defp path(%{} = map, value) do
    Enum.find_value(map, fn {k, v} -> (path(k, value) && [k]) || prefix(path(v, value), k) end)
  end

  defp path(tuple, value) when is_tuple(tuple),
    do: tuple |> Tuple.to_list() |> list_path(0, value)

  defp path(_term, _value), do: nil

  defp list_path([head | tail], index, value),
    do: prefix(path(head, value), index) || list_path(tail, index + 1, value)

  defp list_path([], _index, _value), do: nil
  defp list_path(tail, _index, value) when tail === value, do: ["tail"]
  defp list_path(_tail, _index, _value), do: nil
end
