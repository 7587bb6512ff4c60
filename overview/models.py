"""What only the Overview Group has: implementation tracking, returns with
information, resources and skills, milestone reviews. Built by later work."""
