"""Every write in the invitations app, one module per concern (sendouts, answers, reminders,
group_messages, retention); callers import the module they need."""
