"""Write ``data/prospects.xlsx``: the demo clinic's prospects, as its old tool exports them.

The sheet has the Spanish headers of a DriCloud patient export. Every person, phone and
address is made up (emails at example.com / example.mx). The contact methods, sources and
sections are the names of hmr_crm_addon's starter catalogs, the executives are the logins that
``data/load_demo.py`` creates, and the treatments are those of hmr_treatments_addon.

Run it with openpyxl installed (the project's venv has it)::

    python data/make_prospects_xlsx.py
"""

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

OUTPUT = Path(__file__).resolve().parent / "prospects.xlsx"

HEADERS = (
    "ID paciente",
    "Nombre",
    "Apellidos",
    "Fecha de nacimiento",
    "Teléfono",
    "WhatsApp",
    "Correo",
    "Método de contacto",
    "Fuente",
    "Sección",
    "Fecha de captación",
    "Ejecutivo (login)",
    "Tratamiento",
    "Comentarios",
)
DATE_COLUMNS = ("Fecha de nacimiento", "Fecha de captación")
DATE_FORMAT = "dd/mm/yyyy"

FUE = "Trasplante capilar FUE"
PRP = "Tratamiento capilar PRP"
BEARD = "Injerto de barba"

# fmt: off
# (id, first name, surnames, birth date, phone, whatsapp when another number, email,
#  contact method, source, section, capture date, executive login, treatment, comments)
PROSPECTS = (
    ("DRC-1001", "José Luis", "Hernández García", date(1984, 3, 12), "+52 55 2143 8890", "",
     "jl.hernandez@example.com", "WhatsApp", "Facebook", "Capilar", date(2026, 8, 3),
     "ejecutivo", FUE, "Entradas pronunciadas desde hace 5 años. Pide precio y financiamiento."),
    ("DRC-1002", "Alejandro", "Martínez Ruiz", date(1979, 11, 2), "+52 33 1876 4421", "",
     "alejandro.mtz@example.mx", "Teléfono", "Google Ads", "Capilar", date(2026, 8, 7),
     "ejecutiva2", FUE, "Coronilla despoblada. Prefiere llamadas por la tarde."),
    ("DRC-1003", "María Fernanda", "López Torres", date(1991, 6, 25), "+52 81 2290 1134",
     "+52 81 1345 7720", "mafer.lopez@example.com", "WhatsApp", "Instagram", "Capilar",
     date(2026, 8, 11), "ejecutivo", PRP, "Caída difusa tras el embarazo."),
    ("DRC-1004", "Juan Carlos", "Ramírez Soto", date(1975, 1, 30), "+52 55 3310 2267", "",
     "jc.ramirez@example.mx", "Correo electrónico", "Sitio web", "Capilar", date(2026, 8, 14),
     "ejecutiva2", FUE, "Llenó el formulario del sitio; quiere valoración en línea."),
    ("DRC-1005", "Ricardo", "Gómez Castillo", date(1988, 9, 9), "+52 222 418 6630", "",
     "ricardo.gomez@example.com", "Teléfono", "Recomendación de paciente", "Capilar",
     date(2026, 8, 18), "ejecutivo", FUE, "Lo recomendó su hermano, operado en 2024."),
    ("DRC-1006", "Daniel", "Flores Mendoza", date(1993, 4, 17), "+52 55 4821 0098", "",
     "daniel.flores@example.mx", "WhatsApp", "TikTok", "Facial", date(2026, 8, 21),
     "ejecutiva2", BEARD, "Barba con zonas despobladas en mejillas."),
    ("DRC-1007", "Fernando", "Sánchez Morales", date(1969, 12, 5), "+52 33 3019 5572", "",
     "f.sanchez@example.com", "Presencial", "Visita a la clínica", "Capilar", date(2026, 8, 25),
     "ejecutivo", FUE, "Vino a la clínica sin cita; trae fotos de hace 10 años."),
    ("DRC-1008", "Ana Sofía", "Reyes Jiménez", date(1986, 2, 14), "+52 55 1987 3345", "",
     "anasofia.reyes@example.mx", "Correo electrónico", "Facebook", "Capilar",
     date(2026, 8, 28), "ejecutiva2", PRP, "Adelgazamiento del cabello en la raya."),
    ("DRC-1009", "Miguel Ángel", "Cruz Vargas", date(1982, 7, 21), "+52 81 8123 4409",
     "+52 81 1670 2288", "miguel.cruz@example.com", "SMS", "Google Ads", "Capilar",
     date(2026, 9, 1), "ejecutivo", FUE, "Sólo contesta mensajes; trabaja en turno nocturno."),
    ("DRC-1010", "Luis Enrique", "Ortiz Navarro", date(1990, 10, 3), "+52 664 233 9081", "",
     "luis.ortiz@example.mx", "WhatsApp", "Instagram", "Facial", date(2026, 9, 4),
     "ejecutiva2", BEARD, "Quiere definir el contorno de la barba antes de su boda."),
    ("DRC-1011", "Jorge", "Romero Aguilar", date(1972, 5, 28), "+52 55 6672 1903", "",
     "jorge.romero@example.com", "Teléfono", "Sitio web", "Capilar", date(2026, 9, 8),
     "", FUE, "Sin ejecutivo asignado todavía."),
    ("DRC-1012", "Gabriela", "Herrera Medina", date(1995, 8, 19), "+52 33 2456 7781", "",
     "gaby.herrera@example.mx", "WhatsApp", "TikTok", "Capilar", date(2026, 9, 11),
     "ejecutivo", PRP, "Pregunta cuántas sesiones de PRP necesita."),
    ("DRC-1013", "Eduardo", "Vázquez Domínguez", date(1980, 3, 6), "+52 442 318 5520", "",
     "eduardo.vazquez@example.com", "Correo electrónico", "Recomendación de paciente",
     "Capilar", date(2026, 9, 15), "ejecutiva2", FUE, "Paciente de Querétaro; puede viajar."),
    ("DRC-1014", "Roberto", "Castro Guerrero", date(1966, 11, 23), "+52 55 7781 2046", "",
     "roberto.castro@example.mx", "Presencial", "Visita a la clínica", "Capilar",
     date(2026, 9, 18), "ejecutivo", FUE, "Cabello canoso; pregunta si afecta al resultado."),
    ("DRC-1015", "Arturo", "Ríos Delgado", date(1987, 1, 8), "+52 81 3390 6612", "",
     "arturo.rios@example.com", "WhatsApp", "Facebook", "Facial", date(2026, 9, 22),
     "ejecutiva2", BEARD, "Cicatriz en la barbilla sin pelo."),
    ("DRC-1016", "Francisco Javier", "Moreno Peña", date(1977, 6, 11), "+52 999 214 7735", "",
     "fj.moreno@example.mx", "Teléfono", "Google Ads", "Capilar", date(2026, 9, 25),
     "ejecutivo", FUE, "Vive en Mérida; pide valoración por videollamada."),
    ("DRC-1017", "Valeria", "Chávez Rojas", date(1998, 12, 30), "+52 55 9034 1187",
     "+52 55 2210 6654", "valeria.chavez@example.com", "SMS", "Instagram", "Capilar",
     date(2026, 9, 29), "ejecutiva2", PRP, "Caída por estrés; ya usa minoxidil."),
    ("DRC-1018", "Sergio", "Mendoza Luna", date(1983, 4, 2), "+52 33 5567 0923", "",
     "sergio.mendoza@example.mx", "WhatsApp", "Sitio web", "Capilar", date(2026, 10, 2),
     "", FUE, "Escribió por el chat del sitio un domingo."),
    ("DRC-1019", "Óscar", "Ibarra Salazar", date(1974, 9, 16), "+52 55 3348 7710", "",
     "oscar.ibarra@example.com", "Correo electrónico", "Recomendación de paciente",
     "Capilar", date(2026, 10, 6), "ejecutivo", FUE, "Segunda opinión: tuvo un injerto en 2019."),
    ("DRC-1020", "Diego", "Cortés Fuentes", date(1996, 2, 27), "+52 222 567 1190", "",
     "diego.cortes@example.mx", "WhatsApp", "TikTok", "Facial", date(2026, 10, 9),
     "ejecutiva2", BEARD, "Vio los resultados de un creador de contenido."),
    ("DRC-1021", "Héctor", "Guzmán Estrada", date(1970, 7, 4), "+52 81 4456 3398", "",
     "hector.guzman@example.com", "Teléfono", "Facebook", "Capilar", date(2026, 10, 14),
     "ejecutivo", FUE, "Calvicie avanzada; quiere saber si tiene zona donante suficiente."),
    ("DRC-1022", "Patricia", "Núñez Cabrera", date(1981, 10, 20), "+52 55 5120 8843", "",
     "patricia.nunez@example.mx", "Presencial", "Visita a la clínica", "Capilar",
     date(2026, 10, 20), "ejecutiva2", PRP, "Acompañaba a su esposo y preguntó por PRP."),
    ("DRC-1023", "Raúl", "Espinoza Lara", date(1985, 5, 13), "+52 33 6609 2215", "",
     "raul.espinoza@example.com", "WhatsApp", "Google Ads", "Capilar", date(2026, 11, 3),
     "ejecutivo", FUE, "Quiere operarse en diciembre, en sus vacaciones."),
    ("DRC-1024", "Andrés", "Villanueva Ponce", date(1992, 8, 8), "+52 55 8876 5502", "",
     "andres.villanueva@example.mx", "Correo electrónico", "Instagram", "Capilar",
     date(2026, 11, 10), "ejecutiva2", FUE, "Pide fotos de antes y después de otros pacientes."),
)
# fmt: on


def main():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pacientes"
    sheet.append(HEADERS)
    for row in PROSPECTS:
        sheet.append([value if value != "" else None for value in row])

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="253E54")
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
    for index, header in enumerate(HEADERS, 1):
        letter = get_column_letter(index)
        if header in DATE_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = DATE_FORMAT
        width = max(len(str(cell.value or "")) for cell in sheet[letter])
        sheet.column_dimensions[letter].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    workbook.properties.creator = "HMR CRM demo"
    workbook.properties.title = "Pacientes (exportación de demostración)"
    workbook.save(OUTPUT)
    print(f"{OUTPUT.name}: {len(PROSPECTS)} prospects")


if __name__ == "__main__":
    main()
