"""The services of the platform; each is independent and meets the others only on Kafka."""
