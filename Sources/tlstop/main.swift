print("tlstop")
