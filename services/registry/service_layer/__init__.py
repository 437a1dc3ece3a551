"""Use cases of the register: each loads, decides, saves and records the events it caused."""
