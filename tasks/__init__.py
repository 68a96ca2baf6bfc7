"""Prefect tasks: thin wrappers over plain functions in the warwatch package.

The tasks carry no tags (the deployments do): before it runs, a task with tags asks the Prefect
API for its tags' concurrency slots, and on Prefect's default SQLite server that request waits
while the server writes the run's earlier events. With tags on the poll, story, claim and Slack
tasks, a 304 cycle over 20 local feeds spent about 6 of its 7 s waiting for slots
(benchmarks/polling_speed.py, ``of_which_waiting_for_tag_slots``).
"""
