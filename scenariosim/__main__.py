from scenariosim.cli import main

main()
