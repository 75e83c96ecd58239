"""The scenario graph: a LangGraph state machine that runs a scenario's phases.

`run_scenario(Scenario(...))` is the entry point; `build.build_graph` shows the shape.
"""
