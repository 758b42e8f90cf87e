"""One package per paper section: dataset -> prompts -> run -> score -> metrics."""
