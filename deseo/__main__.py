from deseo.cli import main

main()
