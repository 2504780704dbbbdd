# Calls the bindings generated from the hostile package through the real runtime and
# worker (SNAKEBRIDGE_PYTHON = the hostile environment). Prints "ok" when all agree.
checks = [
  {Hostile.end_!(1), 2},
  {Hostile.max!(3, 4), 4},
  {Hostile.cafu00e9!(21), 42},
  {Hostile.uppercase!(), "Uppercase"},
  {Hostile.module_info_!(7), ["module_info", 7]},
  {Hostile.do_!(1, 2, 3, scale: 5, zeta: 0), [1, [2, 3], 5, ["zeta"]]},
  {Hostile.do_!(1, "ab"), [1, ["ab"], 1, []]},
  {Hostile.round!(1.5), [1.5, nil]},
  {Hostile.round!(1.5, 2), [1.5, 2]},
  {Hostile.round!(1.5, [], []), [1.5, []]},
  {Hostile.round!(1.5, [a: 1], []), [1.5, [{"a", 1}]]},
  {match?({:error, %SnakeBridge.PythonError{type: "TypeError"}}, Hostile.round(1.5, a: 1)),
   true},
  {Hostile.doc_!("x"), "x"},
  {Hostile.pi!(), 3.14159},
  {Hostile.Core.which!(), "core"},
  {Hostile.Core_.which!(), "_core"},
  {Hostile.Thing.new!(3) |> Hostile.Thing.grow!(2), 5},
  {Hostile.Thing.new!(3) |> Hostile.Thing.size!(), 3},
  {match?({:error, %SnakeBridge.PythonError{type: "TypeError"}}, Hostile.end_("x")), true},
  {match?({:ok, "```python\nhostile.max(a, b)\n```\n\nLarger of two." <> _}, Hostile.doc(:max)),
   true}
]

failures = for {{got, want}, n} <- Enum.with_index(checks), got != want, do: {n, got, want}
IO.puts(if failures == [], do: "ok", else: inspect(failures))
