"""Physical constants under Brian 2's names, as Quantities.

CODATA 2018 values (exact where the 2019 SI defines them); the molar mass constant
keeps its conventional value of exactly 1 g/mol.
"""

from __future__ import annotations

from simcore.units.registry import Quantity

avogadro_constant = Quantity(6.02214076e23, "1/mole")
boltzmann_constant = Quantity(1.380649e-23, "joule/kelvin")
elementary_charge = Quantity(1.602176634e-19, "coulomb")
faraday_constant = Quantity(96485.33212331001, "coulomb/mole")
gas_constant = Quantity(8.314462618153241, "joule/(mole*kelvin)")
electric_constant = Quantity(8.8541878128e-12, "farad/meter")
magnetic_constant = Quantity(1.25663706212e-6, "newton/ampere**2")
electron_mass = Quantity(9.1093837015e-31, "kilogram")
molar_mass_constant = Quantity(1e-3, "kilogram/mole")
zero_celsius = Quantity(273.15, "kelvin")

CONSTANTS = {
    "avogadro_constant": avogadro_constant,
    "boltzmann_constant": boltzmann_constant,
    "elementary_charge": elementary_charge,
    "faraday_constant": faraday_constant,
    "gas_constant": gas_constant,
    "electric_constant": electric_constant,
    "magnetic_constant": magnetic_constant,
    "electron_mass": electron_mass,
    "molar_mass_constant": molar_mass_constant,
    "zero_celsius": zero_celsius,
}
