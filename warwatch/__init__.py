"""warwatch: watch war-news feeds, group stories, flag contradictions, tell Slack."""
