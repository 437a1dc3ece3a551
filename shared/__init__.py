"""The platform's small common library: mechanisms every service uses, never one service's rules."""
