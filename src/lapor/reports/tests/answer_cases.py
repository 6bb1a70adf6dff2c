"""A hand-labelled set of follow-ups for the answer checker (reports/answers.py), written for the
project (no citizen's words). Each case: the report's text, the answer, and the flags a careful
reader would raise. ``bench/answer_quality.py`` prints the checker's precision and recall on it;
``test_answer_quality.py`` holds the checker to a floor on it."""

ROAD = "Jalan berlubang di depan pasar. Lubang di Jalan Sudirman semakin besar dan pengendara motor terjatuh."
LAMP = "Lampu jalan mati. Lampu penerangan di Gang Mawar padam dua minggu sehingga gelap pada malam hari."
TRASH = "Sampah menumpuk di TPS. Sampah tidak diangkut sejak seminggu dan baunya menyengat ke rumah warga."
CLINIC = "Antrean puskesmas sangat lama. Pasien menunggu sejak pagi dan dokter baru datang siang hari."
PERMIT = "Mohon informasi syarat pengurusan izin usaha mikro dan berapa lama prosesnya."
WATER = "Air PDAM tidak mengalir. Sudah tiga hari air keran di rumah kami tidak keluar sama sekali."
FLOOD = "Selokan tersumbat dan meluap. Setiap hujan deras air masuk ke rumah warga di sekitar Jalan Kenanga."

BOILER = (
    "Terima kasih atas laporan Anda. Laporan Anda sudah kami terima dan akan segera kami tindaklanjuti "
    "sesuai ketentuan yang berlaku. Mohon bersabar dan terus pantau perkembangan laporan Anda."
)
BOILER_EARLIER = [BOILER.replace("segera", "secepatnya") if i % 2 else BOILER for i in range(6)]

# (name, report text, answer, expected flags, earlier answers of the agency)
CASES = [
    (
        "good_road",
        ROAD,
        "Tim Bidang Bina Marga telah meninjau lubang di Jalan Sudirman pada Senin dan menjadwalkan "
        "penambalan aspal pada Kamis pagi. Bila lubang belum ditambal sampai Jumat, silakan tanggapi laporan ini.",
        set(),
        [],
    ),
    (
        "good_lamp",
        LAMP,
        "Petugas penerangan jalan umum sudah mengganti lampu yang padam di Gang Mawar kemarin malam. "
        "Lampu kini menyala kembali; mohon kabari kami bila padam lagi.",
        set(),
        [],
    ),
    (
        "good_trash",
        TRASH,
        "Truk pengangkut sampah sudah mengangkut tumpukan di TPS tersebut pagi ini dan jadwal "
        "pengangkutan di wilayah Anda kami ubah menjadi setiap hari mulai minggu depan.",
        set(),
        [],
    ),
    (
        "good_clinic",
        CLINIC,
        "Kepala puskesmas telah menegur dokter yang datang terlambat dan sejak 3 Maret layanan "
        "pasien dimulai pukul 08.00 dengan dua dokter jaga. Keluhan lanjutan dapat disampaikan ke 0752 82123.",
        set(),
        [],
    ),
    (
        "good_permit",
        PERMIT,
        "Izin usaha mikro diurus lewat OSS di oss.go.id cukup dengan NIK; prosesnya selesai "
        "dalam 1 hari kerja tanpa biaya. Bila ada kendala, datang ke loket Mal Pelayanan Publik lantai 1.",
        set(),
        [],
    ),
    (
        "good_water",
        WATER,
        "Pipa distribusi PDAM di wilayah Anda bocor dan sudah diperbaiki tadi siang. Aliran air "
        "akan kembali normal paling lambat besok pukul 10.00; hubungi 0752 82555 bila belum mengalir.",
        set(),
        [],
    ),
    (
        "good_flood",
        FLOOD,
        "Petugas telah membersihkan selokan di Jalan Kenanga dan mengangkut endapan lumpur. "
        "Normalisasi saluran dijadwalkan bersama kelurahan pada bulan depan agar air tidak meluap lagi.",
        set(),
        [],
    ),
    (
        "good_refusal",
        PERMIT,
        "Syarat izin usaha mikro hanya KTP dan alamat usaha. Pengurusan izin tidak dipungut "
        "biaya; bila ada petugas yang meminta uang, laporkan kembali dengan nama dan waktunya.",
        set(),
        [],
    ),
    (
        "good_water_reason",
        WATER,
        "Air tidak mengalir karena pompa di instalasi utama rusak. Pompa pengganti sudah "
        "dipasang dan tekanan air di jaringan rumah Anda kami periksa ulang hari ini.",
        set(),
        [],
    ),
    (
        "good_lamp_2",
        LAMP,
        "Kabel lampu di Gang Mawar putus karena tersambar pohon. Kabel sudah disambung dan "
        "pohon di sekitarnya dipangkas oleh petugas dinas supaya tidak mengenai kabel lagi.",
        set(),
        [],
    ),
    ("short_thanks", ROAD, "Terima kasih, sudah kami terima.", {"short", "not_concrete", "off_topic"}, []),
    ("short_processing", LAMP, "Sedang diproses.", {"short", "not_concrete", "off_topic"}, []),
    ("short_but_concrete", ROAD, "Lubang sudah ditambal hari ini.", {"short"}, []),
    ("short_lamp_done", LAMP, "Lampu sudah diganti kemarin.", {"short"}, []),
    ("short_will_check", TRASH, "Sampah akan dicek petugas.", {"short"}, []),
    (
        "vague_long",
        ROAD,
        "Terima kasih atas laporan Saudara. Laporan tersebut sudah kami terima dan akan kami "
        "tindaklanjuti sesuai dengan ketentuan yang berlaku. Mohon kesabarannya untuk menunggu proses selanjutnya.",
        {"not_concrete", "off_topic"},
        [],
    ),
    (
        "vague_coordination",
        CLINIC,
        "Laporan Bapak/Ibu sudah kami teruskan kepada pihak terkait untuk dikoordinasikan "
        "lebih lanjut. Kami akan terus memantau perkembangan laporan ini hingga tuntas, mohon bersabar.",
        {"not_concrete", "off_topic"},
        [],
    ),
    (
        "vague_topic_words",
        TRASH,
        "Terkait sampah yang Saudara sampaikan, laporan sudah kami terima dan akan kami "
        "tindaklanjuti sesuai prosedur. Mohon kesabaran dan terima kasih atas kepedulian terhadap kebersihan.",
        {"not_concrete"},
        [],
    ),
    (
        "vague_water",
        WATER,
        "Keluhan air yang tidak mengalir sudah kami catat dan akan menjadi perhatian kami. "
        "Terima kasih telah menyampaikan keluhan Anda kepada kami melalui kanal pengaduan resmi ini.",
        {"not_concrete"},
        [],
    ),
    (
        "off_topic_wrong_report",
        LAMP,
        "Penambalan aspal di ruas tersebut dijadwalkan pada Kamis bersama tim Bina "
        "Marga, dan jalur motor dialihkan sementara selama pekerjaan berlangsung.",
        {"off_topic"},
        [],
    ),
    (
        "off_topic_generic_info",
        CLINIC,
        "Informasi lengkap mengenai layanan kami dapat dilihat di laman resmi "
        "https://pemkot.example/layanan atau hubungi 0752 82000 pada jam kerja.",
        {"off_topic"},
        [],
    ),
    (
        "off_topic_copy_paste",
        WATER,
        "Tumpukan sampah di TPS sudah diangkut oleh truk kebersihan pagi ini dan "
        "jadwal pengangkutan ditambah menjadi setiap hari.",
        {"off_topic"},
        [],
    ),
    ("boilerplate_vague", ROAD, BOILER, {"boilerplate", "not_concrete", "off_topic"}, BOILER_EARLIER),
    (
        "boilerplate_edited_number",
        TRASH,
        BOILER.replace("Mohon", "Mohon 2"),
        {"boilerplate", "not_concrete", "off_topic"},
        BOILER_EARLIER,
    ),
    ("boilerplate_few_copies", LAMP, BOILER, {"not_concrete", "off_topic"}, BOILER_EARLIER[:3]),
    (
        "concrete_template_many",
        ROAD,
        "Tim Bina Marga telah meninjau lokasi dan menjadwalkan penambalan lubang di "
        "jalan tersebut pada minggu depan. Terima kasih atas laporan Anda.",
        {"boilerplate"},
        [
            "Tim Bina Marga telah meninjau lokasi dan menjadwalkan penambalan lubang di jalan tersebut pada minggu "
            "depan. Terima kasih atas laporan Anda."
        ]
        * 6,
    ),
    (
        "similar_not_same",
        ROAD,
        "Tim Bina Marga telah meninjau lubang di Jalan Sudirman dan menambalnya dengan aspal "
        "panas pada Selasa siang; rambu sementara sudah dicabut.",
        set(),
        [
            "Tim Bina Marga telah meninjau lokasi dan menjadwalkan penambalan lubang di jalan tersebut pada minggu "
            "depan. Terima kasih atas laporan Anda."
        ]
        * 6,
    ),
]

# Written after the rules were tuned on CASES, and not used to tune them: the honest figure.
SCHOOL = "Pungutan liar di sekolah. Komite sekolah meminta uang seragam Rp 750.000 kepada setiap murid baru."
BUS = "Bus Trans sering terlambat. Di halte Pasar Raya bus datang setiap 45 menit, padahal jadwalnya 15 menit."
TREE = "Pohon tumbang menutup jalan. Pohon besar di depan SD 03 tumbang sejak tadi malam dan belum dipindahkan."
NOISE = "Suara bising dari bengkel las. Bengkel di samping rumah bekerja sampai tengah malam setiap hari."
ADMIN = "KTP-el belum jadi. Sudah tiga bulan sejak rekam data dan setiap ditanya jawabannya blanko kosong."
HELDOUT = [
    (
        "h_good_school",
        SCHOOL,
        "Inspektorat sudah memanggil kepala sekolah dan ketua komite. Pungutan seragam dihentikan "
        "dan uang yang telah dibayar dikembalikan kepada orang tua murid paling lambat 20 Juli.",
        set(),
        [],
    ),
    (
        "h_good_bus",
        BUS,
        "Dua armada tambahan dioperasikan di koridor Pasar Raya mulai Senin, sehingga bus datang tiap "
        "15 menit pada jam sibuk. Keluhan jadwal dapat disampaikan ke 0800 1234 567.",
        set(),
        [],
    ),
    (
        "h_good_tree",
        TREE,
        "Regu pemadam dan DLH memotong dan mengangkut pohon tumbang di depan SD 03 pukul 07.30 pagi "
        "ini; jalan sudah bisa dilalui kembali.",
        set(),
        [],
    ),
    (
        "h_good_noise",
        NOISE,
        "Petugas Satpol PP mendatangi bengkel las tersebut dan pemiliknya menandatangani surat "
        "pernyataan untuk berhenti bekerja pukul 21.00.",
        set(),
        [],
    ),
    (
        "h_good_admin",
        ADMIN,
        "Blanko KTP-el sudah tersedia di kecamatan sejak kemarin. KTP Anda sudah dicetak dan dapat "
        "diambil di loket Disdukcapil dengan membawa bukti rekam.",
        set(),
        [],
    ),
    (
        "h_good_bus_reason",
        BUS,
        "Keterlambatan bus disebabkan perbaikan jalan di Simpang Haru yang membuat bus memutar. "
        "Rute sementara kami ubah lewat Jalan Bagindo Aziz Chan sampai perbaikan selesai.",
        set(),
        [],
    ),
    ("h_short_ok", TREE, "Pohon sudah dipindahkan tadi pagi.", {"short"}, []),
    ("h_short_vague", NOISE, "Akan ditindaklanjuti.", {"short", "not_concrete", "off_topic"}, []),
    ("h_short_thanks", ADMIN, "Terima kasih atas informasinya.", {"short", "not_concrete", "off_topic"}, []),
    (
        "h_vague_school",
        SCHOOL,
        "Laporan mengenai pungutan di sekolah sudah kami terima dan akan menjadi bahan evaluasi "
        "kami ke depannya. Terima kasih atas partisipasi Anda dalam pengawasan pelayanan publik.",
        {"not_concrete"},
        [],
    ),
    (
        "h_vague_bus",
        BUS,
        "Keluhan Saudara tentang bus sudah kami sampaikan kepada operator untuk ditindaklanjuti "
        "sebagaimana mestinya. Mohon bersabar menunggu perbaikan layanan.",
        {"not_concrete"},
        [],
    ),
    (
        "h_vague_generic",
        NOISE,
        "Terima kasih telah menghubungi kami. Aduan Anda sedang dalam proses penanganan oleh "
        "pihak yang berwenang dan kami harap dapat segera terselesaikan dengan baik.",
        {"not_concrete", "off_topic"},
        [],
    ),
    (
        "h_off_tree_for_bus",
        BUS,
        "Pohon yang tumbang sudah dipotong dan diangkut oleh regu pemadam, jalan sudah bisa "
        "dilalui kembali oleh kendaraan.",
        {"off_topic"},
        [],
    ),
    (
        "h_off_admin_for_school",
        SCHOOL,
        "KTP-el Anda sudah dicetak dan dapat diambil di loket Disdukcapil dengan membawa bukti perekaman data.",
        {"off_topic"},
        [],
    ),
    (
        "h_boiler_admin",
        ADMIN,
        "Blanko sudah tersedia, silakan datang ke kantor kecamatan untuk pencetakan KTP-el pada "
        "jam kerja dengan membawa bukti rekam.",
        {"boilerplate"},
        [
            "Blanko sudah tersedia, silakan datang ke kantor kecamatan untuk pencetakan KTP-el pada jam kerja dengan "
            "membawa bukti rekam."
        ]
        * 5,
    ),
    (
        "h_not_boiler_personal",
        ADMIN,
        "KTP-el atas nama pelapor sudah dicetak hari ini dan dititipkan di kantor camat; "
        "blanko kosong bulan lalu karena kiriman pusat terlambat.",
        set(),
        [
            "Blanko sudah tersedia, silakan datang ke kantor kecamatan untuk pencetakan KTP-el pada jam kerja dengan "
            "membawa bukti rekam."
        ]
        * 5,
    ),
]
