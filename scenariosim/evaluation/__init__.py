"""Evaluation metrics that are not agents, one home each: `text` (statistics, diversity),
`grounding` (critic figures), `labels` (image attributes, stance, emotion), `personas`
(representativeness), `agreement` (human review vs critic); `evaluate` puts them together."""
