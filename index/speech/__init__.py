"""Speech: sentences, transcript turns, quotes and reported speech, one name per person.
May import `index.records` and `index.settings`, nothing else of `index`."""
