"""Course-staff tooling: release, check, submit, grade, autograder."""
